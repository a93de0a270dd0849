"""Backup and restore of one installation: the database, the uploaded files, the generated key.

`backup_create` writes one archive (tar + gzip) holding a consistent database snapshot, every
file of the default storage and a manifest with the checksums; `backup_restore` verifies the
whole archive before it changes anything. The `shidian backup` / `shidian restore` commands
(cli/backup_cmd.py) call them; docs/deploy.md says how to use and schedule them.
"""

from shidian.apps.core.backup.errors import BackupError
from shidian.apps.core.backup.services import BackupResult, backup_create, backup_restore

__all__ = ["BackupError", "BackupResult", "backup_create", "backup_restore"]
