"""Expert assignment: each unit gets r experts, loads within bounds, no conflicts of interest.

Solved exactly as a min-cost flow (OR-Tools); ``lp_bound`` solves the same network as an LP
(HiGHS) to certify optimality.
"""

from shidian.engine.assignment.model import (
    AssignmentProblem,
    AssignmentResult,
    build_problem,
    parse_path,
)
from shidian.engine.assignment.solve import assign_experts, eligibility, lp_bound

__all__ = [
    "AssignmentProblem",
    "AssignmentResult",
    "assign_experts",
    "build_problem",
    "eligibility",
    "lp_bound",
    "parse_path",
]
