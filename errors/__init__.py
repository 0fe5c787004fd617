"""The exception hierarchy of spacebot, in one neutral package every other one may import.

    SpacebotError
    ├── TargetError          the URL given cannot be a target (scheme, private address, …)
    ├── RubricError          a rubric file cannot be loaded
    ├── StoreError           the database cannot be opened or written
    └── RecipeError          a platform recipe file cannot be loaded

Problems met while crawling a space are not exceptions: they become the crawl status of
the snapshot (``unreachable``, ``not_found``, …). Findings are data, never exceptions.
Every message is Chinese, because it reaches the user as it is.
"""

from __future__ import annotations

__all__ = ["RecipeError", "RubricError", "SpacebotError", "StoreError", "TargetError"]


class SpacebotError(Exception):
    """Root of every error spacebot raises on purpose."""


class TargetError(SpacebotError):
    """The given URL cannot be inspected as it is."""

    def __init__(self, message: str, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class RubricError(SpacebotError):
    """A rubric file is missing or malformed."""


class StoreError(SpacebotError):
    """The snapshot database cannot be opened or written."""


class RecipeError(SpacebotError):
    """A shipped platform recipe file is malformed."""
