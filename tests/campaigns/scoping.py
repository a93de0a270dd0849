"""URL kwargs of the campaigns app, for tests/core/test_url_scoping.py."""

from tests.campaigns.factories import campaign, evidence, sheet

URL_KWARG_FACTORIES = {
    "campaign_id": lambda tree: campaign(tree).pk,
    "sheet_id": lambda tree: sheet(tree).pk,
    "evidence_id": lambda tree: evidence(tree).pk,
}
PUBLIC_URL_NAMES: set = set()
