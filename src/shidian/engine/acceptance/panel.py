"""Who scores which pilot in an acceptance round: k experts per pilot, balanced loads, no
conflict of interest.

The acceptance rule of conflict is narrower than selection's (``engine.assignment``, where an
expert above a school also stands aside): an acceptance expert often works at the county or
city that runs the programme. An expert conflicts with a pilot when the expert's unit is the
pilot or lies under it, or when both belong to the same school (a teaching point and its
central school). Paths are Shidian's materialised paths or any segments joined by ``/``.

``propose_panel`` keeps the pairs it is told to keep (an expert who already saved scores of a
pilot), gives each pilot its missing experts from the least loaded eligible ones, then moves
pilots along alternating chains (A takes a pilot from B, B one from C...) while an expert
carries two or more pilots more than another who could take one. With no chain left the loads
are as even as the conflicts allow: the highest load is the least possible (a property the
tests check against brute force on small cases).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shidian.engine.assignment.model import parse_path
from shidian.engine.errors import EngineInputError


@dataclass(frozen=True)
class Member:
    """A pilot or an expert: an id, its unit's path and the school it belongs to (if any)."""

    id: str
    path: str
    school: str | None = None


def conflicts(expert: Member, pilot: Member) -> bool:
    """The expert's unit is the pilot or under it, or both belong to the same school."""
    e, p = parse_path(expert.path), parse_path(pilot.path)
    if e[: len(p)] == p:
        return True
    return expert.school is not None and expert.school == pilot.school


def propose_panel(
    pilots: Sequence[Member],
    experts: Sequence[Member],
    per_pilot: int,
    *,
    keep: Iterable[tuple[str, str]] = (),
) -> dict[str, tuple[str, ...]]:
    """pilot id -> its experts' ids (sorted). ``keep`` (pilot id, expert id) pairs stay as they
    are (even above ``per_pilot``); a pilot with fewer than ``per_pilot`` eligible experts
    raises ``EngineInputError`` (code ``acceptance_panel_short``, params ``pilots``,
    ``per_pilot``) naming every such pilot."""
    if per_pilot < 1:
        raise EngineInputError("each pilot needs at least one expert", code="acceptance_per_pilot")
    expert_ids = [e.id for e in experts]
    if len(set(expert_ids)) != len(expert_ids) or len({p.id for p in pilots}) != len(pilots):
        raise EngineInputError("ids must be unique", code="acceptance_panel_ids")
    eligible = {p.id: {e.id for e in experts if not conflicts(e, p)} for p in pilots}
    kept: dict[str, set[str]] = {p.id: set() for p in pilots}
    for pilot_id, expert_id in keep:
        if pilot_id in kept and expert_id in expert_ids:
            kept[pilot_id].add(expert_id)
    short = [p.id for p in pilots if len(eligible[p.id] | kept[p.id]) < per_pilot]
    if short:
        raise EngineInputError(
            f"too few eligible experts for {', '.join(short)}",
            code="acceptance_panel_short",
            params={"pilots": short, "per_pilot": per_pilot},
        )
    chosen = {pid: set(found) for pid, found in kept.items()}
    load = dict.fromkeys(expert_ids, 0)
    for found in chosen.values():
        for e in found:
            load[e] += 1
    order = {e: i for i, e in enumerate(expert_ids)}
    # Pilots with the fewest candidates first, so the scarce experts go where they must.
    for p in sorted(pilots, key=lambda p: (len(eligible[p.id]), p.id)):
        while len(chosen[p.id]) < per_pilot:
            free = [e for e in eligible[p.id] if e not in chosen[p.id]]
            pick = min(free, key=lambda e: (load[e], order[e]))
            chosen[p.id].add(pick)
            load[pick] += 1
    movable = {pid: chosen[pid] - kept[pid] for pid in chosen}
    _balance(chosen, movable, eligible, load, order)
    return {pid: tuple(sorted(found, key=order.__getitem__)) for pid, found in chosen.items()}


def _balance(
    chosen: dict[str, set[str]],
    movable: dict[str, set[str]],
    eligible: Mapping[str, set[str]],
    load: dict[str, int],
    order: Mapping[str, int],
) -> None:
    """Move pilots along alternating chains from heavy to light experts until none is left."""
    improved = True
    while improved:
        improved = False
        for light in sorted(load, key=lambda e: (load[e], order[e])):
            path = _chain(light, chosen, movable, eligible, load)
            if path is None:
                continue
            # path: [(taker, pilot, giver), ...]; each taker takes the pilot from its giver.
            for taker, pilot, giver in path:
                chosen[pilot].discard(giver)
                movable[pilot].discard(giver)
                chosen[pilot].add(taker)
                movable[pilot].add(taker)
            load[light] += 1
            load[path[-1][2]] -= 1
            improved = True
            break


def _chain(
    light: str,
    chosen: Mapping[str, set[str]],
    movable: Mapping[str, set[str]],
    eligible: Mapping[str, set[str]],
    load: Mapping[str, int],
) -> list[tuple[str, str, str]] | None:
    """A shortest chain from ``light`` to an expert carrying two or more pilots more."""
    came: dict[str, tuple[str, str] | None] = {light: None}
    queue = deque([light])
    pilots = sorted(chosen)
    while queue:
        taker = queue.popleft()
        for pilot in pilots:
            if taker not in eligible[pilot] or taker in chosen[pilot]:
                continue
            for giver in sorted(movable[pilot]):
                if giver in came:
                    continue
                came[giver] = (taker, pilot)
                if load[giver] >= load[light] + 2:
                    steps = []
                    node = giver
                    while came[node] is not None:
                        prev, via = came[node]  # type: ignore[misc]
                        steps.append((prev, via, node))
                        node = prev
                    return list(reversed(steps))
                queue.append(giver)
    return None
