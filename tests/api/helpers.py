from __future__ import annotations

from shidian.apps.api.scopes import all_scopes
from shidian.apps.api.tokens import token_create


def bearer(user, scopes=None, days=30) -> dict:
    made = token_create(user=user, name="test", scopes=scopes or all_scopes(), days=days)
    return {"HTTP_AUTHORIZATION": f"Bearer {made.plain}"}
