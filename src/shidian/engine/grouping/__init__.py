"""Balanced grouping (anticlustering): groups alike as a whole, mixed inside (组间同质、组内异质).

``group_items(GroupingSpec(...))`` returns a ``GroupingResult`` with the labels, the leads, the
objective, the balance report and a check of every constraint. See docs/engine-grouping.md.
"""

from shidian.engine.grouping.api import group_items
from shidian.engine.grouping.spec import (
    CategoryBalance,
    ConstraintCheck,
    FeatureBalance,
    GroupingResult,
    GroupingSpec,
)

__all__ = [
    "CategoryBalance",
    "ConstraintCheck",
    "FeatureBalance",
    "GroupingResult",
    "GroupingSpec",
    "group_items",
]
