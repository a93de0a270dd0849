from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _site_language():
    # Start each test in the site's language (an English request elsewhere must not leak).
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
