"""`shidian did` on the downloaded panel reproduces the page's estimates (the command shown)."""

from __future__ import annotations

import json
import shlex
import sys

import pytest

from shidian.cli.app import main


def run_cli(monkeypatch, capsys, args):
    monkeypatch.setattr(sys, "argv", ["shidian", *args])
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("query", [{}, {"outcome": "ind:D3.1", "period": "round"}])
def test_cli_on_the_download_reproduces_the_page(
    office_client, world, tmp_path, monkeypatch, capsys, query
):
    base = f"/evaluation/programmes/{world.programme.pk}/"
    page = office_client.get(base, query)
    ev = page.context["ev"]
    assert ev.refusal is None
    download = office_client.get(base + "panel.xlsx", query)
    path = tmp_path / page.context["filename"]
    path.write_bytes(b"".join(download.streaming_content))
    command = shlex.split(page.context["command"])
    assert command[:3] == ["shidian", "did", path.name]
    assert command[3:] and "--event-study" in command
    report = run_cli(monkeypatch, capsys, [command[1], str(path), *command[3:], "--json"])
    got = {
        "twfe": report["twfe"],
        "cs_simple": report["callaway_santanna"]["simple"],
        "cs_group": report["callaway_santanna"]["group_overall"],
        "cs_dynamic": report["callaway_santanna"]["dynamic_overall"],
    }
    for row in ev.estimates:
        cli = got[row.key]
        assert cli["estimate"] == pytest.approx(row.estimate, rel=1e-9, abs=1e-9)
        assert cli["se"] == pytest.approx(row.se, rel=1e-9, abs=1e-9)
        assert cli["p_value"] == pytest.approx(row.p_value, rel=1e-6, abs=1e-12)
    assert report["n_units"] == ev.result.n_units
    assert report["n_periods"] == ev.result.n_periods
    assert report["n_clusters"] == ev.result.n_clusters
