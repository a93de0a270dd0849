"""WSGI entry point for production servers (waitress in the embedded default)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shidian.config.settings")
application = get_wsgi_application()
