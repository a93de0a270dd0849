"""URL kwargs of the midterm app, for tests/core/test_url_scoping.py.

The insider persona is an expert of county A who reviews nothing of the round: they must get
404 on every mid-term page, exactly like an outsider. (``programme_id`` and ``sheet_id`` come
from the programmes and campaigns declarations.)
"""

from tests.conftest import make_user
from tests.midterm.factories import scored_round


def idle_expert(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="mt-idle-expert").first()  # scoping: ok test
    return found or make_user("mt-idle-expert", tree.county, "expert")


URL_KWARG_FACTORIES = {
    "midterm_id": lambda tree: scored_round(tree).pk,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS = {"expert reviewing nothing of the round": idle_expert}
