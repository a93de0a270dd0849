"""Fair rotation of activity hosts among a community's member schools (Django-free).

Rule, in order (see docs/activities.md):

1. Fewest hostings so far first: nobody hosts a second time before every member has hosted
   once (counts come from the history plus the picks made earlier in the same proposal).
2. Ties: the longest since last hosting first (never hosted counts as the longest).
3. Ties again: the most central member first (smallest sum of distances to the other
   members), and never the member who hosted the activity just before if another is tied.
4. Last tie-break: the member id, so the proposal is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    id: int
    lat: float | None = None
    lon: float | None = None


def km(a: Member, b: Member) -> float:
    """Great-circle distance in km; 0 when either member has no coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 0.0
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def propose_hosts(members: Sequence[Member], history: Sequence[int], n: int) -> list[int]:
    """Host ids for ``n`` new activities, in order.

    ``history`` lists the host ids of earlier activities, oldest first (hosts that are no
    longer members are ignored).
    """
    if n <= 0 or not members:
        return []
    ids = {m.id for m in members}
    centrality: dict[int, float] = {
        m.id: sum(km(m, o) for o in members if o.id != m.id) for m in members
    }
    seq = [h for h in history if h in ids]
    picks: list[int] = []
    for _ in range(n):
        counts: Mapping[int, int] = {i: seq.count(i) for i in ids}
        last_at = {i: -1 for i in ids}
        for pos, h in enumerate(seq):
            last_at[h] = pos
        previous = seq[-1] if seq else None

        def order(
            i: int,
            c: Mapping[int, int] = counts,
            la: dict[int, int] = last_at,
            p: int | None = previous,
        ) -> tuple[int, int, bool, float, int]:
            return (c[i], la[i], i == p, round(centrality[i], 6), i)

        best = min(ids, key=order)
        picks.append(best)
        seq.append(best)
    return picks
