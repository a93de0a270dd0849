"""Fill English msgstrs from a {Chinese: English} JSON file: scripts/fill_en.py FILE.json

A convenience for translators: entries not in the file are left as they are.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

APPS = Path(__file__).resolve().parent.parent / "src" / "shidian" / "apps"


def fill(translations: dict[str, str]) -> int:
    filled = 0
    for po_path in APPS.glob("*/locale/en/LC_MESSAGES/django.po"):
        catalog = polib.pofile(str(po_path))
        changed = False
        for entry in catalog:
            if entry.msgid in translations and (not entry.msgstr or "fuzzy" in entry.flags):
                entry.msgstr = translations[entry.msgid]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                filled += 1
                changed = True
        if changed:
            catalog.save()
    return filled


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(f"filled {fill(data)} entries")
