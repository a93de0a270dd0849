"""The project's URLs plus views that fail, for the error-page tests."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from shidian.config.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("test-boom/", boom),
    path("test-suspicious/", suspicious),
    *project_urlpatterns,
]
