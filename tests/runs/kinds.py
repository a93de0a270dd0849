"""Run kinds for the tests (registered on import): a counter that can be cancelled, fail with
a code, crash, or fail inside its own write."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shidian.apps.runs.errors import RunError
from shidian.apps.runs.registry import run_kind

STEPS: list[int] = []  # the steps the counter got through, for the assertions
FAIL_ONCE: set[int] = set()


def _describe(code, params):
    if code == "boom":
        return _("第 %(step)s 步失败。") % params
    return None


@run_kind(
    "tests.count",
    label="count",
    describe_error=_describe,
    describe_result=lambda run: f"counted {run.result['counted']}",
)
def count(run, progress):
    from shidian.apps.orgs.models import OrgUnit
    from shidian.apps.runs.models import Run

    params = run.params
    n = params.get("n", 10)
    if params.get("fail_once") and run.pk not in FAIL_ONCE:
        FAIL_ONCE.add(run.pk)
        raise RunError("boom", step=0)
    for step in range(n):
        if params.get("cancel_at") == step:
            # What the cancel button does while the worker is busy (another connection).
            Run.objects.filter(pk=run.pk).update(cancel_requested=True)
        if params.get("fail_at") == step:
            raise RunError("boom", step=step)
        if params.get("crash_at") == step:
            1 / 0  # noqa: B018 - an unexpected error
        STEPS.append(step)  # the step's work, then its report
        progress(step + 1, n, _("正在处理……"))
    if params.get("rename"):
        with transaction.atomic():
            OrgUnit.objects.filter(pk=run.unit_id).update(name=params["rename"])
            if params.get("fail_in_write"):
                raise RunError("boom", step=n)
    return {"counted": n}
