"""URL kwargs of the selection app, for tests/core/test_url_scoping.py.

The insider persona is an expert of the city who sits on no panel of county A's selection: they
must get 404 on every selection page, exactly like an outsider.
"""

from tests.conftest import make_user
from tests.selection.factories import world


def expert_not_on_the_panel(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="expert-off-panel").first()  # scoping: ok test
    return found or make_user("expert-off-panel", tree.city, "expert")


URL_KWARG_FACTORIES = {
    "selection_id": lambda tree: world(tree).selection.pk,
    # a shortlist's or reconciliation's number within the selection (the API's step writes)
    "run_number": lambda tree: 1,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS = {"expert not on the panel": expert_not_on_the_panel}
