"""The candidates table the shortlist page downloads goes back to `shidian select` unchanged:
the command gives the same selection as the page for the same options."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse

from tests.runs.helpers import execute
from tests.selection.factories import world

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src"


def test_cli_reads_the_exported_candidates_and_selects_the_same(
    tree, office_user, office_client, tmp_path
):
    from shidian.apps.selection.services import shortlist as service

    w = world(tree, office=office_user)
    params = {
        "count": 10, "strata": ["school_type", "locality"], "proportional": True,
        "tolerance": 5.0, "quotas": [{"attribute": "zone", "stratum": "甲县西片区", "min": 4,
                                      "max": None}],
        "balance": [], "max_smd": 0.2, "min_score": 60.0, "include": [],
        "exclude": [{"code": "A1-03", "reason": "已承担其他项目"}],
    }  # fmt: skip
    shortlist = service.shortlist_run_start(by=office_user, selection=w.selection, params=params)
    execute(shortlist.run)
    shortlist.refresh_from_db()
    assert shortlist.status == "done"

    export = reverse("selection:shortlist_export", kwargs={"selection_id": w.selection.pk})
    path = tmp_path / "candidates.xlsx"
    path.write_bytes(b"".join(office_client.get(export).streaming_content))
    pd.DataFrame({"id": ["A1-03"], "reason": ["已承担其他项目"]}).to_csv(
        tmp_path / "exclude.csv", index=False
    )
    pd.DataFrame(
        {"attribute": ["zone"], "stratum": ["甲县西片区"], "min": [4], "max": [None]}
    ).to_csv(tmp_path / "quota.csv", index=False)
    result = subprocess.run(
        [sys.executable, "-m", "shidian.cli", "select", str(path), "-k", "10",
         "--score", "score", "--strata", "school_type,locality", "--proportional",
         "--tolerance", "0.05", "--min-score", "60", "--exclude", str(tmp_path / "exclude.csv"),
         "--quota", str(tmp_path / "quota.csv"), "-o", str(tmp_path / "out.csv"), "--json"],
        capture_output=True, text=True, cwd=SRC,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout
    report = json.loads(result.stdout)
    page = [r["code"] for r in shortlist.result["selected"]]
    assert report["selected"] == page
    assert report["objective"] == pytest.approx(shortlist.result["solver"]["objective"])
