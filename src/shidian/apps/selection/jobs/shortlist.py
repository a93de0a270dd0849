"""The shortlist step's Run kind (stub)."""
