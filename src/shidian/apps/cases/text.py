"""Words of a case for the search index, and the HTML-safe rendering of hits and bodies.

Chinese has no spaces: jieba's search mode (``cut_for_search``) cuts "试点学校课堂教学" into
试点 / 学校 / 课堂 / 教学 / 课堂教学, so a two-character word is found inside a longer one. The
same cut is applied to the query. Single characters and punctuation are not indexed (a
one-character query finds nothing). Latin words and numbers are lower-cased.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

import jieba
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

jieba.setLogLevel(logging.WARNING)

MAX_TERM = 32
MAX_QUERY_TERMS = 8
# Field weights: a word in the title counts five times one in the body.
FIELD_WEIGHTS = (("title", 5.0), ("tags", 3.0), ("summary", 2.0), ("body", 1.0))
_WORDLIKE = re.compile(r"[\w]", re.UNICODE)
_IMAGE_LINE = re.compile(r"^\[(?:图片|image):(\d+)\]$")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _keep(token: str) -> bool:
    token = token.strip()
    if len(token) < 2 or len(token) > MAX_TERM:
        return False
    return bool(_WORDLIKE.search(token)) and not token.isspace()


def tokens(text: str) -> list[str]:
    """The indexable words of ``text`` in order (repeats kept)."""
    return [t.strip() for t in jieba.cut_for_search(normalise(text)) if _keep(t)]


def weighted_terms(fields: dict[str, str]) -> dict[str, float]:
    """{term: weight} over the case's fields (see FIELD_WEIGHTS)."""
    weights: Counter[str] = Counter()
    for name, factor in FIELD_WEIGHTS:
        for term in tokens(fields.get(name, "")):
            weights[term] += factor
    return dict(weights)


def query_terms(query: str) -> list[str]:
    """The distinct words of a query, in order, at most MAX_QUERY_TERMS; every one must be found
    (AND). A longer word jieba also cut into parts (试点学校: 试点, 学校) is searched by its parts:
    the parts are in the index wherever the longer word is, the longer word not always."""
    seen: list[str] = []
    for part in normalise(query).split():
        whole = part.strip()
        cut = tokens(whole)
        if _keep(whole) and len(whole) <= MAX_TERM and whole not in cut:
            cut.append(whole)
        # A longer word jieba also cut into parts: the parts are enough to find it, and the
        # longer word may not be in the index when a document cut it otherwise.
        smallest = [t for t in cut if not any(o != t and o in t for o in cut)]
        for term in smallest:
            if term not in seen:
                seen.append(term)
    return seen[:MAX_QUERY_TERMS]


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """``text`` escaped, every occurrence of a term in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped above
    out, at = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[at : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        at = match.end()
    out.append(escape(text[at:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped


def snippet(text: str, terms: Iterable[str], width: int = 60) -> SafeString:
    """A short piece of ``text`` around its first hit, highlighted (its start when none)."""
    plain = re.sub(r"\[(?:图片|image):\d+\]", "", text or "")
    plain = re.sub(r"\s+", " ", plain).strip()
    pattern = _pattern(terms)
    match = pattern.search(plain) if pattern is not None else None
    if match is None:
        piece = plain[: width * 2]
        return highlight(piece + ("…" if len(plain) > len(piece) else ""), ())
    start = max(0, match.start() - width)
    end = min(len(plain), match.end() + width)
    piece = ("…" if start else "") + plain[start:end] + ("…" if end < len(plain) else "")
    return highlight(piece, terms)


def render_body(body: str, image_url: Callable[[int], str | None]) -> SafeString:
    """Paragraphs (blank line between) as <p>, a line "[图片:ID]" as the image ``image_url(ID)``
    (dropped when the id is not an image of the case); all text escaped."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", body or ""):
        lines: list[str] = []
        for line in [*block.strip().splitlines(), None]:
            found = _IMAGE_LINE.match(line.strip()) if line is not None else None
            if line is not None and found is None:
                lines.append(line)
                continue
            if lines:
                html.append("<p>" + "<br>".join(escape(x) for x in lines) + "</p>")
                lines = []
            url = image_url(int(found.group(1))) if found is not None else None
            if url:
                html.append(
                    f'<figure class="case-figure"><img src="{escape(url)}" alt="" '
                    'loading="lazy"></figure>'
                )
    return mark_safe("".join(html))  # noqa: S308 - every piece escaped
