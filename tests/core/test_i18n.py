"""Both catalogs are complete, and complete for the current source (no msgid left unextracted)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "src" / "shidian" / "apps"
CATALOGS = sorted(APPS.glob("*/locale/*/LC_MESSAGES/django.po"))
APP_DIRS = sorted(p for p in APPS.iterdir() if (p / "apps.py").exists())


def test_every_app_has_both_catalogs():
    for app in APP_DIRS:
        for locale in ("zh_Hans", "en"):
            assert (app / "locale" / locale / "LC_MESSAGES" / "django.po").exists(), (app, locale)


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(APPS)))
def test_catalog_is_complete(po_path):
    catalog = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalog.untranslated_entries() + catalog.fuzzy_entries()]
    assert not missing, f"{po_path.relative_to(ROOT)} lacks translations for: {missing[:20]}"


@pytest.mark.parametrize("app", APP_DIRS, ids=lambda p: p.name)
def test_catalog_covers_the_source(app, tmp_path):
    """Extract the app's strings afresh; every msgid must already be in its catalogs."""
    copy = tmp_path / app.name
    shutil.copytree(app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shidian.config.settings_test",
        "PYTHONPATH": str(ROOT / "src"),
    }
    subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "en", "--no-location"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh_path = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    fresh = {e.msgid for e in polib.pofile(str(fresh_path))} if fresh_path.exists() else set()
    for locale in ("zh_Hans", "en"):
        kept = {
            e.msgid
            for e in polib.pofile(str(app / "locale" / locale / "LC_MESSAGES" / "django.po"))
        }
        unextracted = sorted(fresh - kept)
        assert not unextracted, (
            f"{app.name}/{locale}: run `python scripts/i18n.py update` and translate: "
            f"{unextracted[:20]}"
        )
