"""URL kwargs of the campaigns app, for tests/core/test_url_scoping.py."""

from tests.campaigns.factories import campaign, evidence, sheet

URL_KWARG_FACTORIES = {
    "campaign_id": lambda tree: campaign(tree).pk,
    "sheet_id": lambda tree: sheet(tree).pk,
    "evidence_id": lambda tree: evidence(tree).pk,
}
PUBLIC_URL_NAMES: set = set()


def expert_without_review(tree):
    """An expert of county A who reviews nothing: sees no sheet of it (404, as missing)."""
    from tests.conftest import make_user

    return make_user("idle-expert", tree.county, "expert")


# Personas inside the victim's county who must still get 404 on every campaigns URL with
# kwargs (walked by tests/campaigns/test_expert_access.py).
INSIDER_PERSONAS = {"expert without review": expert_without_review}
