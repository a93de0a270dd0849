"""Which roles fit which unit levels. Who may manage accounts is core.access's rule (MANAGE)."""

from __future__ import annotations

from shidian.apps.accounts.models import Role
from shidian.apps.orgs.models import Level

# The levels a role's unit may have (None: any level). A coordinator belongs to a school, a zone
# account to a zone, the office and the leading group to an authority above schools.
ROLE_LEVELS: dict[str, set[str] | None] = {
    Role.LEADING_GROUP: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.OFFICE: {Level.PROVINCE, Level.CITY, Level.COUNTY},
    Role.EXPERT: None,
    Role.ZONE: {Level.ZONE},
    Role.COORDINATOR: {Level.SCHOOL},
    Role.COMMUNITY_LEAD: {Level.SCHOOL},
}


def role_fits_level(role: str, level: str) -> bool:
    allowed = ROLE_LEVELS.get(role)
    return allowed is None or level in allowed
