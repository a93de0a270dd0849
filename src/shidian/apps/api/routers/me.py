"""Who the token belongs to and what it may do."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["me"])


class MeOut(Schema):
    username: str
    name: str
    unit: str | None
    role: str
    token: str
    scopes: list[str]
    expires_at: str


@router.get("/me", response=MeOut, url_name="me")
def me(request: HttpRequest):
    token = request.auth  # type: ignore[attr-defined]
    user = request.user
    return {
        "username": user.username,
        "name": user.get_full_name() or user.username,
        "unit": user.unit.code if user.unit_id else None,
        "role": getattr(user, "role", ""),
        "token": token.prefix,
        "scopes": token.scopes,
        "expires_at": token.expires_at.isoformat(),
    }
