"""The hub's WSGI application, served by waitress (``puhui hub serve``) or any WSGI server."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puhui.hub.settings")

application = get_wsgi_application()
