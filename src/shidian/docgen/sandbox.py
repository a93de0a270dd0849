"""The Jinja environment that renders uploaded templates: sandboxed, and bounded in size and time.

Jinja's sandbox keeps a template away from Python internals but not from making work: a
placeholder such as ``{{ title * 200000 }}`` built a 7 MB paragraph and held a web request for
seconds, and nested loops can run for minutes. Here a string or list that would grow past
MAX_VALUE_CHARS (by ``*``, ``+``, ``%`` or a format width) is refused before it is built, a
range is at most MAX_RANGE long, a rendered part is at most MAX_OUTPUT_CHARS, and rendering stops
after RENDER_SECONDS. Each refusal is a TemplateInvalid with a code the web translates.
"""

from __future__ import annotations

import ctypes
import re
import threading
import time
from typing import Any

from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment

from shidian.docgen.errors import TemplateInvalid

MAX_VALUE_CHARS = 100_000  # one value (a placeholder's text, a list)
MAX_OUTPUT_CHARS = 64_000_000  # one rendered part (document.xml with a 400-page booklet: ~20 M)
MAX_RANGE = 10_000
MAX_EXPONENT = 1_000
MAX_FORMAT_WIDTH = 1_000
RENDER_SECONDS = 10.0  # a notice renders in well under a second
# A booklet of a hundred cases with photos takes about ten seconds, in the background task.
BOOKLET_RENDER_SECONDS = 300.0

_WIDTH = re.compile(r"\d+")
PADDING_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}


class RenderTimeout(BaseException):
    """Raised inside the rendering thread when the time is up (a BaseException, so that no
    ``except Exception`` on the way swallows it)."""


def too_big(what: str, limit: int) -> TemplateInvalid:
    return TemplateInvalid(
        f"template refused: {what} would exceed {limit:,} characters",
        code="template_too_big",
        name=what,
        limit=limit,
    )


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | bytes) else None


def _check_widths(fmt: str) -> None:
    # "%999999999s" or "{:>999999999}" would build a huge string in one C call.
    for digits in _WIDTH.findall(fmt):
        if len(digits) > 4 and int(digits) > MAX_FORMAT_WIDTH:
            raise too_big("a format width", MAX_VALUE_CHARS)


class BoundedTemplate(Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        parts: list[str] = []
        total = 0
        for chunk in self.generate(*args, **kwargs):
            total += len(chunk)
            if total > MAX_OUTPUT_CHARS:
                raise too_big("the rendered document", MAX_OUTPUT_CHARS)
            parts.append(chunk)
        return "".join(parts)


class BoundedSandbox(SandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.template_class = BoundedTemplate
        self.globals["range"] = bounded_range

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, times in ((left, right), (right, left)):
                n = _size(seq)
                if n is not None and isinstance(times, int) and n * times > MAX_VALUE_CHARS:
                    raise too_big("a repeated text or list", MAX_VALUE_CHARS)
        elif operator_ == "+":
            a, b = _size(left), _size(right)
            if a is not None and b is not None and a + b > MAX_VALUE_CHARS:
                raise too_big("a joined text or list", MAX_VALUE_CHARS)
        elif operator_ == "**":
            big = isinstance(right, int | float) and abs(right) > MAX_EXPONENT
            if big and not (isinstance(left, int | float) and abs(left) <= 1):
                raise too_big("a power", MAX_VALUE_CHARS)
        elif operator_ == "%" and isinstance(left, str):
            _check_widths(left)
        return super().call_binop(context, operator_, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        # "{:>999999999}".format(x): the sandbox routes str.format through here.
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and isinstance(getattr(value, "__self__", None), str):
            _check_widths(value.__self__)
        return wrapped

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        # "x".center(10**9), ljust, zfill ... build a huge string in one C call.
        name = getattr(__obj, "__name__", "")
        if isinstance(getattr(__obj, "__self__", None), str) and name in PADDING_METHODS:
            _check_counts(args, kwargs)
        return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)


def bounded_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise TemplateInvalid(
            f"template refused: range() longer than {MAX_RANGE:,}",
            code="template_too_big",
            name="range",
            limit=MAX_RANGE,
        )
    return rng


def _check_counts(args: Any, kwargs: Any) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_VALUE_CHARS:
            raise too_big("a width", MAX_VALUE_CHARS)


def _guard(func: Any, *, format_string: bool = False) -> Any:
    """A built-in filter that takes a width (center, indent, wordwrap) or a format string,
    checked first: filters are called directly, not through ``call``."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, SandboxedEnvironment)]
        if format_string and values and isinstance(values[0], str):
            _check_widths(values[0])
        else:
            _check_counts(values[1:], kwargs)
        return func(*args, **kwargs)

    if hasattr(func, "jinja_pass_arg"):
        wrapped.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return wrapped


def environment() -> BoundedSandbox:
    env = BoundedSandbox(autoescape=True)
    for name in ("center", "indent", "wordwrap"):
        env.filters[name] = _guard(env.filters[name])
    env.filters["format"] = _guard(env.filters["format"], format_string=True)
    return env


def _raise_in(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(RenderTimeout)
    )


def _clear(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


class time_limit:  # noqa: N801 - used as a context manager
    """Stop the code in the ``with`` block after ``seconds``: a timer raises RenderTimeout in
    this thread (between two Python bytecodes; a template is compiled Python, so its loops are
    interrupted). Turned into TemplateInvalid(code="template_too_slow")."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = RENDER_SECONDS if seconds is None else seconds
        self.lock = threading.Lock()
        self.done = False
        self.fired = False
        self.thread_id = threading.get_ident()
        self.timer = threading.Timer(self.seconds, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        with self.lock:
            if not self.done:
                self.fired = True
                _raise_in(self.thread_id)

    def __enter__(self) -> time_limit:
        self.started = time.monotonic()
        self.timer.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.timer.cancel()
        with self.lock:
            self.done = True
            if self.fired and exc_type is not RenderTimeout:
                _clear(self.thread_id)  # fired as the block ended: never raise it later
        if exc_type is RenderTimeout:
            raise TemplateInvalid(
                f"template refused: rendering took longer than {self.seconds:g} s",
                code="template_too_slow",
                limit=self.seconds,
            )
