"""Platform adapters, tried in order; the generic adapter takes every other platform."""

from __future__ import annotations

from .base import PlatformAdapter
from .dragdrop import DragDropAdapter
from .spa import SpaAdapter
from .tianyu import TianyuAdapter

__all__ = ["ADAPTERS", "PlatformAdapter", "pick_adapter"]

ADAPTERS: tuple[PlatformAdapter, ...] = (TianyuAdapter(), SpaAdapter(), DragDropAdapter())
GENERIC = PlatformAdapter()


def pick_adapter(url: str, page: object, *, generic_only: bool = False) -> PlatformAdapter:
    """The first adapter that recognises the page; the generic one otherwise."""
    if not generic_only:
        for adapter in ADAPTERS:
            if adapter.matches(url, page):  # type: ignore[arg-type]
                return adapter
    return GENERIC
