"""The roll-out's Run kind (discovered by apps/runs at start-up); its body in jobs.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shidian.apps.rollout import jobs
from shidian.apps.rollout.pairing import describe_refusal
from shidian.apps.runs.registry import run_kind

run_kind(
    jobs.PAIR,
    label=_("安排辐射带动"),
    describe_error=describe_refusal,
    describe_result=jobs.describe_result,
    result_link=jobs.result_link,
    # Retrying a refusal with the same limits refuses again: the office changes the limits or
    # the schools and presses 安排带动, which starts a new run.
    retryable=False,
)(jobs.pair)
