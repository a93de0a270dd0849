"""URL kwargs and public URLs of the accounts app, for tests/core/test_url_scoping.py."""

URL_KWARG_FACTORIES: dict = {}
PUBLIC_URL_NAMES = {"accounts:login", "accounts:logout"}
