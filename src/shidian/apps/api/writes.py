"""What every write route shares: lock the row the caller may see, check its If-Match, run the
service, and tell a refusal with a stable code. Any refusal rolls the whole write back.

A refusal because of the object's state (a submitted sheet, a closed round, an item already
closed) is 409 with the state rules' own code; one because of the caller's input is 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from shidian.apps.api.errors import ApiError
from shidian.apps.api.etags import check_if_match
from shidian.apps.submissions.services import SubmissionConflict


def if_match() -> dict:
    """The header every write route needs, for its ``openapi_extra``: declared in the OpenAPI
    document so clients (and the schemathesis test) know of it. A fresh dict each time: ninja
    merges it into the operation's own lists."""
    return {
        "parameters": [
            {
                "in": "header",
                "name": "If-Match",
                "required": True,
                "schema": {"type": "string", "maxLength": 200},
                "description": "The ETag of the last read of this object (428 without, 412 stale).",
            }
        ]
    }


# Codes of submissions.states / inspections.states: the object's state stops the write.
STATE_CODES = frozenset({"not_editable", "closed", "late", "not_submitted", "not_allowed"})
# Codes a service gives to bad input, passed on as the API's code.
INPUT_CODES = frozenset(
    {"unknown_item", "reason_required", "file_field", "file_type", "file_too_large"}
)


def _codes(exc: ValidationError) -> list[str]:
    return [e.code for e in getattr(exc, "error_list", []) if e.code]


def refused(
    exc: ValidationError, *, code: str, message: Callable[[list[str]], str] | None = None
) -> ApiError:
    """The ApiError for a service's ValidationError; ``code`` is the route's code for bad input,
    ``message`` words the problems as the page does."""
    problems = list(exc.messages)
    details = [{"message": m} for m in problems]
    codes = _codes(exc)
    state = next((c for c in codes if c in STATE_CODES), None)
    if state:
        return ApiError(409, state, " ".join(problems), details)
    own = next((c for c in codes if c in INPUT_CODES), code)
    text = message(problems) if message else "；".join(problems)
    return ApiError(422, own, text, details)


def form_refused(form: Any, *, code: str = "invalid") -> ApiError:
    """The 422 for a page's form that refused the body: each problem as the page shows it
    (the field's label and its message), the field's name in ``details``."""
    problems, details = [], []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            text = _("%(field)s：%(message)s") % {"field": label, "message": message}
            problems.append(text if label else str(message))
            details.append({"loc": ["body", name], "message": str(message)})
    return ApiError(422, code, "；".join(problems), details)


def write(
    request,
    rows: models.QuerySet,
    pk: int,
    act: Callable[[Any], Any],
    *,
    invalid: str = "refused",
    message: Callable[[list[str]], str] | None = None,
) -> None:
    """Run ``act(row)`` on the row of ``rows`` (the caller's visible ones) with this ``pk``,
    locked and checked against If-Match, in one transaction: 404 if not visible, 428/412 on a
    missing or stale If-Match, 409/422 when the service refuses; nothing is kept then."""
    with transaction.atomic():
        locked = rows.select_for_update(of=("self",))
        row = get_object_or_404(locked, pk=pk)  # scoping: ok rows: the caller's visible ones
        check_if_match(request, row)
        try:
            act(row)
        except ValidationError as exc:
            raise refused(exc, code=invalid, message=message) from exc
        except SubmissionConflict as exc:  # the row is locked: only a concurrent service
            raise ApiError(409, "conflict", _("该对象已被他人修改，请重新读取后再更新。")) from exc
