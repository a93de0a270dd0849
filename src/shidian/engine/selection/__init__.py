"""Representative selection of pilots (遴选): a MILP over the candidates, solved with HiGHS."""

from shidian.engine.selection.select import select_pilots
from shidian.engine.selection.spec import (
    BatchShare,
    CovariateBalance,
    Forced,
    Price,
    Quota,
    SelectionResult,
    SelectionSpec,
    StratumShare,
)

__all__ = [
    "BatchShare",
    "CovariateBalance",
    "Forced",
    "Price",
    "Quota",
    "SelectionResult",
    "SelectionSpec",
    "StratumShare",
    "select_pilots",
]
