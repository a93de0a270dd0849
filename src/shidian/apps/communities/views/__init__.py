"""Community pages, one module per area; ``urls.py`` joins their ``urlpatterns``."""
