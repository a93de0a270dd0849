"""Sample data per document type (the same files as examples/documents/, kept in the package so
that previews and the demo work in an installed copy too; a test keeps them in step)."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent


def sample_data(kind: str) -> dict:
    return json.loads((SAMPLES_DIR / f"{kind}.json").read_text("utf-8"))
