"""The case library's card on the home page: shown to whoever has cases to read, to fill or
to review."""

from __future__ import annotations

from typing import Any


def home_card(user: Any) -> dict[str, Any] | None:
    from shidian.apps.cases.models import Case
    from shidian.apps.cases.selectors import my_case_submissions, reviewing
    from shidian.apps.core.access import VIEW
    from shidian.apps.submissions.states import EDITABLE

    if not getattr(user, "is_authenticated", False):
        return None
    published = Case.objects.restrict(user, VIEW).count()
    to_fill = my_case_submissions(user).filter(status__in=EDITABLE, round__status="open").count()
    to_review = reviewing(user).exclude(case_opinions__expert=user).count()
    if not (published or to_fill or to_review):
        return None
    return {"published": published, "to_fill": to_fill, "to_review": to_review}
