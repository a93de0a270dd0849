"""The DiD refusals carry machine codes (the web translates by code), and a cohort entering after
the last period counts as never treated, with a coded note."""

from __future__ import annotations

import pandas as pd
import pytest

from shidian.engine.did import prepare_panel, run_did
from shidian.engine.errors import EngineInputError

ARGS = {"unit": "u", "period": "t", "outcome": "y", "treated": "d", "cohort": "g"}


def frame(units, years, cohort, y=lambda u, t: u + t * 0.5 + (u % 3) * t * 0.1):
    rows = []
    for u in range(units):
        g = cohort(u)
        for t in years:
            rows.append({"u": f"S{u}", "t": t, "d": int(g > 0), "g": g or None, "y": y(u, t)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    "data, code",
    [
        (frame(10, [2020], lambda u: 2020 if u < 5 else 0), "did_one_period"),
        (frame(10, [2020, 2021], lambda u: 0), "did_no_treated"),
        (frame(10, [2020, 2021], lambda u: 2021), "did_no_controls"),
        (frame(10, [2020, 2021], lambda u: 2020 if u < 5 else 0), "did_no_pre_period"),
        (frame(10, [2020, 2021], lambda u: 2021 if u < 5 else 0, y=lambda u, t: 3.0),
         "did_constant_outcome"),
        (frame(10, [2020, 2021], lambda u: 2021 if u < 5 else 0, y=lambda u, t: float(u)),
         "did_outcome_never_changes"),
    ],
)  # fmt: skip
def test_refusals_have_codes(data, code):
    with pytest.raises(EngineInputError) as exc:
        run_did(data, **ARGS)
    assert exc.value.code == code


def test_uncoded_errors_keep_code_none():
    bad = frame(4, [2020, 2021], lambda u: 2021 if u < 2 else 0)
    bad.loc[0, "d"] = 7
    with pytest.raises(EngineInputError) as exc:
        run_did(bad, **ARGS)
    assert exc.value.code is None and "0 or 1" in exc.value.message


def test_cohort_after_the_last_period_is_never_treated_with_a_note():
    data = frame(12, [2019, 2020, 2021, 2022], lambda u: 2021 if u < 4 else 2030 if u < 6 else 0)
    panel = prepare_panel(data, **ARGS)
    assert panel.never_treated == 8 and panel.treated_units == 4
    assert panel.note_params["did_late_cohort"] == {"units": 2}
    result = run_did(data, **ARGS)
    assert result.note_params["did_late_cohort"] == {"units": 2}
    assert any("after the last period" in n for n in result.notes)
