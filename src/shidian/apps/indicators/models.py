"""Indicators across units and balance between schools (覆盖率、校际均衡)."""

from django.db import models  # noqa: F401
