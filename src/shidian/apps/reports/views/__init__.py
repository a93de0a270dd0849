"""Report pages, one module per area; each has its urlpatterns (urls.py joins them)."""
