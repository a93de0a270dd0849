"""Materialised paths for the organisation tree.

A unit's path is its ancestors' paths plus its own fixed-width segment of digits, so "all units
under X" is one indexed range query ``X.path <= path < next_sibling(X.path)``. Digits only: the
range compares the same under every database collation (C, en_US, SQLite's BINARY).
"""

from __future__ import annotations

SEGMENT_WIDTH = 5
MAX_SEGMENT = 10**SEGMENT_WIDTH - 2  # the upper bound of a subtree is its segment + 1
MAX_DEPTH = 255 // SEGMENT_WIDTH  # OrgUnit.path is a CharField(max_length=255)


def make_segment(number: int) -> str:
    if not 0 < number <= MAX_SEGMENT:
        raise ValueError(f"segment {number} outside 1..{MAX_SEGMENT}")
    return str(number).zfill(SEGMENT_WIDTH)


def child_path(parent_path: str, number: int) -> str:
    return parent_path + make_segment(number)


def depth_of(path: str) -> int:
    return len(path) // SEGMENT_WIDTH


def last_segment(path: str) -> int:
    return int(path[-SEGMENT_WIDTH:])


def subtree_upper_bound(path: str) -> str:
    """The smallest path greater than every path in the subtree rooted at ``path``."""
    return path[:-SEGMENT_WIDTH] + str(last_segment(path) + 1).zfill(SEGMENT_WIDTH)


def ancestor_paths(path: str) -> list[str]:
    """Paths of all proper ancestors, root first."""
    return [path[:end] for end in range(SEGMENT_WIDTH, len(path), SEGMENT_WIDTH)]
