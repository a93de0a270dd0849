"""Expert assignment: each unit gets r experts, loads within bounds, no conflicts of interest.

Solved as a min-cost flow (OR-Tools) on a pruned network, then made exact on the unrounded
affinities by an exchange search whose prices certify optimality (``result.bound``, ``gap`` 0);
``lp_bound`` returns that dual bound, or solves the LP with HiGHS (``method="highs"``).
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
