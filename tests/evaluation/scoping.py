"""URL kwargs of the evaluation app, for tests/core/test_url_scoping.py: its pages take only
``programme_id`` (declared by tests/programmes/scoping.py), so an outsider's 404 is proven there
and in tests/evaluation/test_views.py."""

URL_KWARG_FACTORIES: dict = {}
PUBLIC_URL_NAMES: set = set()
