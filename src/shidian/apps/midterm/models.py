"""Mid-term evaluation (初评、查漏补缺): scored rounds and their gaps."""

from django.db import models  # noqa: F401
