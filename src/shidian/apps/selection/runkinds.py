"""The selection's long work (Runs): each step's engine run registers itself in ``jobs``."""

from shidian.apps.selection.jobs import assignment, matching, shortlist  # noqa: F401 (kinds)
