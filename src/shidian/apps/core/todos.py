"""What a person should do next: each app contributes the open tasks it knows about.

An app registers a provider in its ``AppConfig.ready()``::

    register_todo_provider(campaign_todos)

A provider takes the user and the moment and returns :class:`Todo` rows it found through the
access mechanism (``restrict(user, FILL)`` for what the person fills, ``REVIEW`` for what they
review, ``APPROVE`` for what waits for them). The home page lists them soonest deadline first;
later issues (reports due, plans returned) only add a provider.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

FILL_TASK = "fill"
RETURNED_TASK = "returned"
REVIEW_TASK = "review"
APPROVE_TASK = "approve"


@dataclass(frozen=True)
class Todo:
    kind: str  # one of the *_TASK names: what the person is asked to do
    title: str  # what it is ("2026年智慧校园自查赋分")
    action: str  # what to do, translated ("填报", "按退回意见修改")
    url: str
    due: datetime.datetime | None = None
    status: str = ""  # the object's status, translated
    note: str = ""  # e.g. the office's comment on a return

    def overdue(self, now: datetime.datetime) -> bool:
        return self.due is not None and self.due < now


Provider = Callable[[Any, datetime.datetime], Iterable[Todo]]
_PROVIDERS: list[Provider] = []


def register_todo_provider(provider: Provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def todos_for(*, user: Any, now: datetime.datetime, limit: int = 50) -> list[Todo]:
    """The user's open tasks, returned ones first, then by deadline (none last)."""
    found = [todo for provider in _PROVIDERS for todo in provider(user, now)]
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    found.sort(key=lambda t: (t.kind != RETURNED_TASK, t.due or far, t.title))
    return found[:limit]
