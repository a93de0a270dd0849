"""The registry of run kinds: ``@run_kind("documents.pdf", label=...)`` on ``(run, progress)``.

Each app puts its kinds in ``<app>/runkinds.py``; RunsConfig.ready() imports every one at
start-up, so the worker and the web process know the same kinds.

The contract of a kind (docs/architecture.md, "Long work: Run"):
- it takes its inputs from ``run.params`` (ids and plain values) and returns a JSON-able result;
- it calls ``progress(done, total, message)`` often; the call is cheap (throttled) and raises
  Cancelled when cancel was requested, so the kind stops there;
- it owns its atomicity: computation first, then its writes in one ``transaction.atomic()``, so
  a failure or a cancel leaves nothing half-applied; a retry runs it again from the start;
- it fails with ``RunError(code, **params)``, told to people by ``describe_error``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

KindFunc = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class RunKind:
    name: str
    func: KindFunc
    label: Any
    # (code, params) -> sentence or None (then the generic table, then the code).
    describe_error: Callable[[str, dict], str | None] | None = None
    # run -> a sentence about a succeeded run's result ("导入完成：新建 3 个...").
    describe_result: Callable[[Any], str] | None = None
    # run -> (url, label) of the page that shows the result, or None.
    result_link: Callable[[Any], tuple[str, Any] | None] | None = None
    # run -> None, after the run ended (succeeded, failed or cancelled): sync the subject's
    # own summary status.
    on_end: Callable[[Any], None] | None = None
    retryable: bool = True


KINDS: dict[str, RunKind] = {}


def run_kind(name: str, *, label: Any, **options: Any) -> Callable[[KindFunc], KindFunc]:
    def decorate(func: KindFunc) -> KindFunc:
        if name in KINDS and KINDS[name].func is not func:
            raise ValueError(f"run kind {name!r} is registered twice")
        KINDS[name] = RunKind(name=name, func=func, label=label, **options)
        return func

    return decorate


def get_kind(name: str) -> RunKind | None:
    return KINDS.get(name)


def kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return str(kind.label) if kind else name


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((k.name, str(k.label)) for k in KINDS.values()), key=lambda c: c[1])
