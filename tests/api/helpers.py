from __future__ import annotations

import json

from shidian.apps.api.scopes import all_scopes
from shidian.apps.api.tokens import token_create


def bearer(user, scopes=None, days=30) -> dict:
    made = token_create(user=user, name="test", scopes=scopes or all_scopes(), days=days)
    return {"HTTP_AUTHORIZATION": f"Bearer {made.plain}"}


def call(client, method, url, headers, body=None, etag=None, lang=None, **extra):
    """One JSON call with a token's headers, an optional If-Match and Accept-Language."""
    extra = {**headers, **extra}
    if etag is not None:
        extra["HTTP_IF_MATCH"] = etag
    if lang:
        extra["HTTP_ACCEPT_LANGUAGE"] = lang
    payload = json.dumps(body if body is not None else {})
    return getattr(client, method)(url, payload, content_type="application/json", **extra)
