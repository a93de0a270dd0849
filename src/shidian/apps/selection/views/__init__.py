"""The selection's pages, one module per step; each module has its ``urlpatterns``."""
