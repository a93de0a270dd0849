"""The engine package must import and run without Django."""

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def test_engine_imports_without_django():
    code = (
        "import sys, pkgutil, importlib\n"
        "sys.modules['django'] = None\n"  # any 'import django' now raises ImportError
        "import shidian.engine as e\n"
        "for m in pkgutil.walk_packages(e.__path__, 'shidian.engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert not any(k.startswith('django') and sys.modules[k] for k in sys.modules)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=SRC, env={"PATH": ""}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
