"""Who may do what on the programmes app's models, declared for core.access.

The access spine (core.access) is built in parallel; until it lands, ``register_all`` does
nothing and the interim rules live in ``programmes/access.py``. The declarations are written now
so the switch is to delete the guard.
"""

from __future__ import annotations


def register_all() -> None:
    try:
        from shidian.apps.core.access import Policy, register
    except ImportError:  # the spine has not landed yet
        return
    from shidian.apps.programmes.models import (
        Cycle,
        Participation,
        ParticipationEvent,
        Phase,
        Programme,
    )

    target = "programmes.programme"
    register(Programme, Policy(unit="unit", owner="unit", targets=(("pk", target),)))
    for model in (Phase, Cycle):
        register(
            model,
            Policy(
                unit="programme__unit", owner="programme__unit", targets=(("programme", target),)
            ),
        )
    register(
        Participation,
        Policy(unit="unit", owner="programme__unit", targets=(("programme", target),)),
    )
    register(
        ParticipationEvent,
        Policy(
            unit="participation__unit",
            owner="participation__programme__unit",
            targets=(("participation__programme", target),),
        ),
    )
