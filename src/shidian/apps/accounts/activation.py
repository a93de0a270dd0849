"""One-time activation codes: short, unambiguous, stored only as a keyed HMAC.

A code is 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
``XXXXX-XXXXX`` so it can be read aloud or copied from a printed list; case, spaces and dashes
do not matter when typed. 31^10 ≈ 8 × 10^14 codes; guessing is throttled like passwords.

The digest is HMAC-SHA256 keyed with SECRET_KEY over the user's id and the code: a leaked table
of digests neither gives the codes nor lets one digest be moved to another account. An HMAC
costs microseconds (7,167 codes in milliseconds), where a PBKDF2 password hash costs ~1 s; that
is fine here because the codes are random, single-use, expiring and throttled, not chosen by
people.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10
GROUP = 5
SALT = "shidian.accounts.activation"
DEFAULT_DAYS = 30
MAX_DAYS = 90
_NOT_CODE = re.compile(r"[\s\-_.·]+")


def validity(days: int | None = None) -> timedelta:
    """How long a new code stays valid: ``days`` (the office chooses, 1-90), else 30 days."""
    return timedelta(days=int(days if days is not None else DEFAULT_DAYS))


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def normalize(code: str) -> str:
    """What a person typed, as the canonical code (upper case, no separators)."""
    return _NOT_CODE.sub("", code or "").upper()


def digest(user_id: int, code: str) -> str:
    message = f"{user_id}:{normalize(code)}"
    return salted_hmac(SALT, message, algorithm="sha256").hexdigest()


def matches(user_id: int, code: str, stored: str) -> bool:
    return bool(stored) and constant_time_compare(digest(user_id, code), stored)
