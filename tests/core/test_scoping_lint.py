"""A lint check: views and API handlers never look objects up without the scoping mechanism."""

import re
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "src" / "shidian" / "apps"
UNSCOPED = re.compile(r"\b[A-Z]\w*\.objects\.(get|filter|all|exclude)\(|get_object_or_404\(")


def test_views_use_scoped_lookups():
    offenders = []
    for path in APPS.rglob("*.py"):
        if not (
            path.name.startswith("views")
            or path.parent.name in {"views", "api"}
            or path.name == "api.py"
        ):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if UNSCOPED.search(line) and "scoping: ok" not in line:
                offenders.append(f"{path.relative_to(APPS)}:{number}: {line.strip()}")
    assert not offenders, (
        "Views must use get_scoped_or_404 / .restrict(user) (or a selector that does); "
        "mark a reviewed exception with '# scoping: ok <why>':\n" + "\n".join(offenders)
    )
