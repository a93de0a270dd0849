"""Load the demo: a generated county, an account for every role, standards, a campaign and the
seed programme's documents. Every step is idempotent, so `shidian demo` can run again and keep
the data.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

DEMO_ACCOUNTS_FILE = "demo-accounts.json"


@dataclass
class DemoResult:
    created: bool
    summary: str = ""
    accounts: list[dict] = field(default_factory=list)


def _accounts_path():
    return settings.DATA_DIR / DEMO_ACCOUNTS_FILE


def _demo_password() -> str:
    """One password for all demo accounts, generated on first run and kept in var/."""
    path = _accounts_path()
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))["password"]
    return "sd-" + secrets.token_urlsafe(9)


def load_demo(*, seed: int = 2021) -> DemoResult:
    from shidian.apps.orgs.models import OrgUnit

    if OrgUnit.objects.exists():
        return DemoResult(created=False)
    password = _demo_password()
    with transaction.atomic():
        from shidian.apps.accounts.demo import create_demo_accounts
        from shidian.apps.orgs.demo import generate_demo_county

        tree = generate_demo_county(seed=seed)
        accounts = create_demo_accounts(
            county=tree.county,
            zone=tree.zone,
            school=tree.school,
            community_lead_school=tree.community_lead,
            password=password,
        )
    rows = [
        {"username": a[0], "role": str(a[1]), "unit": str(a[2]), "password": a[3]} for a in accounts
    ]
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    _accounts_path().write_text(
        json.dumps({"password": password, "accounts": rows}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    _accounts_path().chmod(0o600)
    summary = [f"{tree.units} units"]
    for loader in _optional_loaders():
        summary.append(loader(tree=tree))
    return DemoResult(created=True, summary=", ".join(s for s in summary if s), accounts=rows)


def _optional_loaders():
    """Demo steps of the feature apps (standards, campaigns, documents), run after the tree."""
    loaders = []
    try:
        from shidian.apps.campaigns.demo import load_campaign_demo

        loaders.append(load_campaign_demo)
    except ImportError:
        pass
    try:
        from shidian.apps.documents.demo import load_documents_demo

        loaders.append(load_documents_demo)
    except ImportError:
        pass
    return loaders


def demo_accounts_table() -> list[str]:
    path = _accounts_path()
    if not path.exists():
        return ["(no demo accounts: the database was not created by `shidian demo`)"]
    data = json.loads(path.read_text(encoding="utf-8"))
    width = max(len(a["username"]) for a in data["accounts"])
    return [
        f"{a['username']:<{width}}  {a['password']}  {a['role']}  {a['unit']}"
        for a in data["accounts"]
    ]
