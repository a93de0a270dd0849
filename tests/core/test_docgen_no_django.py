"""shidian.docgen (official documents) must import and run without Django, like the engine.

The document generator is used by the web app, the command line and background workers alike;
keeping it free of Django keeps it testable alone and callable from anywhere (docs/architecture.md).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
DOCGEN = SRC / "shidian" / "docgen"
# Run as a script under the system python (python3-uno), never imported: checked by source only.
SCRIPTS = {"shidian.docgen.uno_update"}


def test_docgen_imports_without_django():
    code = (
        "import sys, pkgutil, importlib\n"
        "sys.modules['django'] = None\n"  # any 'import django' now raises ImportError
        "import shidian.docgen as d\n"
        f"skip = {sorted(SCRIPTS)!r}\n"
        "for m in pkgutil.walk_packages(d.__path__, 'shidian.docgen.'):\n"
        "    if m.name not in skip:\n"
        "        importlib.import_module(m.name)\n"
        "assert not any(k.startswith('django') and sys.modules[k] for k in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=SRC, env={"PATH": ""}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_no_docgen_module_names_django():
    offenders = []
    for path in sorted(DOCGEN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(n == "django" or n.startswith("django.") for n in names):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders, offenders
