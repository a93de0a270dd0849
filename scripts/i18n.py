"""Keep every app's zh_Hans and en catalogs complete.

    python scripts/i18n.py update [APP ...]  # makemessages (all apps or the named ones)
    python scripts/i18n.py missing   # list en entries still untranslated or fuzzy
    python scripts/i18n.py compile   # compilemessages for every app

Source strings are written in Chinese, so the zh_Hans catalog is the identity; the English
translation is written by hand in <app>/locale/en/LC_MESSAGES/django.po.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "src" / "shidian" / "apps"
LOCALES = ["zh_Hans", "en"]


def app_dirs(names: list[str] | None = None) -> list[Path]:
    found = sorted(p for p in APPS.iterdir() if (p / "apps.py").exists())
    return [p for p in found if not names or p.name in names]


def django_admin(args: list[str], cwd: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shidian.config.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }
    subprocess.run(
        [sys.executable, "-P", "-m", "django", *args],
        cwd=cwd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def update(names: list[str] | None = None) -> None:
    for app in app_dirs(names):
        (app / "locale").mkdir(exist_ok=True)
        args = ["makemessages", "--no-location", "--no-obsolete"]
        for locale in LOCALES:
            args += ["-l", locale]
        django_admin(args, app)
        zh = app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if zh.exists():
            catalog = polib.pofile(str(zh))
            for entry in catalog:
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            catalog.save()
    missing()


def missing() -> int:
    count = 0
    for po_path in sorted(APPS.glob("*/locale/*/LC_MESSAGES/django.po")):
        catalog = polib.pofile(str(po_path))
        bad = catalog.untranslated_entries() + catalog.fuzzy_entries()
        for entry in bad:
            print(f"{po_path.relative_to(ROOT)}: {entry.msgid!r}")
        count += len(bad)
    print(f"{count} untranslated or fuzzy entries")
    return count


def compile_all() -> None:
    for app in app_dirs():
        if (app / "locale").exists():
            django_admin(["compilemessages"], app)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "update":
        update(sys.argv[2:] or None)
    elif command == "missing":
        sys.exit(1 if missing() else 0)
    elif command == "compile":
        compile_all()
    else:
        sys.exit(__doc__)
