"""Demo accounts, one per role, for `shidian demo` (called by the CLI, which prints the table).

Idempotent: accounts are keyed on their username. Without an explicit ``password`` each account
gets a password derived from the installation's SECRET_KEY (generated on first run and kept out
of git), so a second run can print the same passwords without storing them, and no two
installations share a password. An account whose password was changed since shows "(changed)".

Checking a password costs a PBKDF2 run (~0.5 s here), so the audit event of the creation keeps a
fingerprint of each stored hash: a re-run compares fingerprints and starts in well under a second.
"""

from __future__ import annotations

import hashlib
import string

from django.db import transaction
from django.utils.crypto import salted_hmac

from shidian.apps.accounts.models import Role, User
from shidian.apps.core.models import AuditEvent
from shidian.apps.core.services import audit_record
from shidian.apps.orgs.models import OrgUnit

CHANGED = "(changed)"
EMAIL_DOMAIN = "demo.shidian.example"
# username, role, full name (fictional)
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("leader", Role.LEADING_GROUP, "张局长"),
    ("office", Role.OFFICE, "王老师"),
    ("expert", Role.EXPERT, "刘专家"),
    ("zone", Role.ZONE, "陈主任"),
    ("school", Role.COORDINATOR, "李老师"),
    ("community", Role.COMMUNITY_LEAD, "赵校长"),
]
_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "0o1li")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password.encode()).hexdigest()[:16]


def _known_fingerprints() -> dict[str, str | None]:
    """username -> fingerprint of the hash set from the derived password (None: set otherwise)."""
    known: dict[str, str | None] = {}
    events = AuditEvent.objects.filter(action="accounts.demo_create").order_by("-pk")
    for data in events.values_list("data", flat=True)[:20]:
        for username, fp in (data or {}).get("fingerprints", {}).items():
            known.setdefault(username, fp)
    return known


def demo_password(username: str) -> str:
    """A readable per-installation password such as ``k7dq-x3mf-9bwe``."""
    digest = salted_hmac("shidian.accounts.demo-password", username, algorithm="sha256").digest()
    chars = [_ALPHABET[b % len(_ALPHABET)] for b in digest[:12]]
    return "-".join("".join(chars[i : i + 4]) for i in range(0, 12, 4))


@transaction.atomic
def create_demo_accounts(
    *,
    county: OrgUnit,
    zone: OrgUnit,
    school: OrgUnit,
    community_lead_school: OrgUnit,
    expert_unit: OrgUnit | None = None,
    password: str | None = None,
) -> list[tuple[str, str, str, str]]:
    """Create or update one account per role; return (username, role, unit name, password)."""
    units = {
        Role.LEADING_GROUP: county,
        Role.OFFICE: county,
        Role.EXPERT: expert_unit or county,
        Role.ZONE: zone,
        Role.COORDINATOR: school,
        Role.COMMUNITY_LEAD: community_lead_school,
    }
    rows = []
    created: list[str] = []
    fingerprints: dict[str, str | None] = {}
    known = _known_fingerprints()
    for username, role, full_name in DEMO_ACCOUNTS:
        unit = units[role]
        wanted = password or demo_password(username)
        user = User.objects.filter(username=username).first()
        if user is None or password is not None:
            if user is None:
                user = User(username=username)
                created.append(username)
            user.set_password(wanted)
            shown = wanted
            fingerprints[username] = None if password is not None else _fingerprint(user)
        elif known.get(username) == _fingerprint(user):
            shown = wanted  # the hash we stored from the derived password is still there
        else:
            shown = wanted if user.check_password(wanted) else CHANGED
        user.role = role
        user.unit = unit
        user.full_name = full_name
        user.email = f"{username}@{EMAIL_DOMAIN}"
        user.is_active = True
        user.save()
        rows.append((username, str(role), unit.name, shown))
    if fingerprints:
        audit_record(
            actor=None,
            action="accounts.demo_create",
            unit=county,
            summary=", ".join(created) or ", ".join(fingerprints),
            data={"usernames": created, "fingerprints": fingerprints},
        )
    return rows
