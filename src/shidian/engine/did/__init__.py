"""Difference-in-differences: 2x2, two-way fixed effects with clustered SEs, event study, and
Callaway & Sant'Anna for staggered adoption; the engine prepares and checks the panel."""

from shidian.engine.did.estimators import Estimate, EventStudy
from shidian.engine.did.panel import Panel, prepare_panel
from shidian.engine.did.report import DidResult, run_did
from shidian.engine.did.staggered import CallawaySantAnna

__all__ = [
    "CallawaySantAnna",
    "DidResult",
    "Estimate",
    "EventStudy",
    "Panel",
    "prepare_panel",
    "run_did",
]
