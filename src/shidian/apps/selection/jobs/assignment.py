"""The expert assignment step's Run kind (stub)."""
