"""Inspection visits, findings and rectification items (督查指导、整改)."""

from django.db import models  # noqa: F401
