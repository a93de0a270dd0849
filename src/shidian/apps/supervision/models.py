"""Monthly league tables, 督办 status and the bulletin (按月通报、末位督办)."""

from django.db import models  # noqa: F401
