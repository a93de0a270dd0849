"""The matching step's Run kind (stub)."""
