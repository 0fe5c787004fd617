"""``spacebot serve``: the self-check page for teachers and its JSON API."""

from __future__ import annotations

from ._app import create_app
from ._service import CheckService, ServeSettings

__all__ = ["CheckService", "ServeSettings", "create_app"]
