"""`shidian did` on the downloaded panel reproduces the page's estimates (the command shown), for
every outcome source: sheets, periodic report values, mid-term reviewed scores; where the page
refuses (acceptance scores), the command refuses too."""

from __future__ import annotations

import json
import shlex
import sys

import pytest

from shidian.cli.app import main
from tests.evaluation.test_sources import midterm_history
from tests.evaluation.world import acceptance_round, report_form


def run_cli(monkeypatch, capsys, args):
    monkeypatch.setattr(sys, "argv", ["shidian", *args])
    try:
        main()
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def download(client, world, query, tmp_path):
    """The page for ``query``, the path of its downloaded panel and the command shown."""
    base = f"/evaluation/programmes/{world.programme.pk}/"
    page = client.get(base, query)
    response = client.get(base + "panel.xlsx", query)
    path = tmp_path / page.context["filename"]
    path.write_bytes(b"".join(response.streaming_content))
    return page, path, shlex.split(page.context["command"])


def source_query(case, world, tree):
    """Build the data of ``case`` and return the page's query for it."""
    if case.startswith("reports"):
        _form, fields, _periods = report_form(world)
        return {"outcome": f"rep:{fields['hours'].pk}", "period": case.split("-")[1]}
    if case == "midterm":
        midterm_history(world, tree)
        return {"outcome": "mid:total"}
    if case == "ind-round":
        return {"outcome": "ind:D3.1", "period": "round"}
    return {}


@pytest.mark.parametrize("case", ["total", "ind-round", "reports-year", "reports-round", "midterm"])
def test_cli_on_the_download_reproduces_the_page(
    office_client, world, tree, tmp_path, monkeypatch, capsys, case
):
    query = source_query(case, world, tree)
    page, path, command = download(office_client, world, query, tmp_path)
    ev = page.context["ev"]
    assert ev.refusal is None
    assert page.context["table"].outcome.key == query.get("outcome", "total")
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


def test_cli_refuses_the_acceptance_panel_as_the_page_does(
    office_client, world, tree, tmp_path, monkeypatch, capsys
):
    acceptance_round(world, tree, year=2028, units=world.pilots[:4], score=lambda u: 75.0)
    page, path, command = download(office_client, world, {"outcome": "acc:total"}, tmp_path)
    assert page.context["ev"].refusal_code == "eval_acceptance_cross_section"
    assert len(page.context["table"].frame) == 4  # the scores are still downloadable
    monkeypatch.setattr(sys, "argv", ["shidian", command[1], str(path), *command[3:], "--json"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2  # the engine's refusal: one message, no traceback
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
