"""URL kwargs of the rollout app, for tests/core/test_url_scoping.py."""

from tests.rollout.factories import plan

URL_KWARG_FACTORIES = {"rollout_id": lambda tree: plan(tree).pk}
PUBLIC_URL_NAMES: set = set()
