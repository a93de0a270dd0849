"""URL kwargs of the acceptance app, for tests/core/test_url_scoping.py.

The insider persona is an expert of county A who is not on the round's panel: every
acceptance page is a 404 for them, exactly as for an outsider. (``programme_id`` comes from
the programmes declarations.)
"""

from tests.acceptance.factories import scored_round, submission_of
from tests.conftest import make_user
from tests.tracking_world import pilot_world


def idle_expert(tree):
    from shidian.apps.accounts.models import User

    found = User.objects.filter(username="ac-idle-expert").first()  # scoping: ok test
    return found or make_user("ac-idle-expert", tree.county, "expert")


def _report(tree):
    return submission_of(scored_round(tree), pilot_world(tree).pilots[0]).pk


def _file(tree):
    from shidian.apps.evidence.models import Evidence

    sub = submission_of(scored_round(tree), pilot_world(tree).pilots[0])
    return Evidence.objects.filter(submission=sub).first().pk  # scoping: ok test


URL_KWARG_FACTORIES = {
    "acceptance_id": lambda tree: scored_round(tree).pk,
    "report_id": _report,
    "acceptance_file_id": _file,
}
PUBLIC_URL_NAMES: set = set()
INSIDER_PERSONAS = {"expert not on the acceptance panel": idle_expert}
