"""Ground truth for the farm: each imitation space is rendered from one ``SpaceSpec``.

``expected_json`` turns a spec into the fields spacebot must report for it, so the
integration tests can compare every field of the check-1 JSON with what the farm shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ResourceSpec:
    rid: str
    title: str
    category: str  # the contract category spacebot must decide
    label: str | None  # the platform's own category label shown beside it, if any
    original: bool | None
    published: str
    fmt: str
    size_bytes: int | None
    visibility: str = "everyone"
    video: str | None = None  # farm video file shown on the detail page
    video_style: str = "tag"  # tag | player (a player config in a script)
    page_resolution: str | None = None  # what the detail page claims, when it is not the file's


@dataclass(frozen=True)
class ArticleSpec:
    aid: str
    title: str
    original: bool | None
    published: str
    category: str | None = None
    body_links: tuple[tuple[str, str], ...] = ()  # outbound (url, text) inside the article


@dataclass(frozen=True)
class AlbumSpec:
    aid: str
    name: str
    photos: int


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    kind: str  # builtin | custom
    type: str  # profile, articles, resources, albums, guestbook, visitors, custom, …
    items: int | None = None  # count shown in the module's header
    more: str | None = None  # collection whose full listing the module's 更多 opens
    html: str = ""  # body of a custom module
    links: tuple[tuple[str, str], ...] = ()  # (url, text) links inside a custom module


@dataclass(frozen=True)
class SpaceSpec:
    sid: str
    platform: str  # tianyu | spa | dragdrop (the family that serves it)
    name: str
    wall: str = "everyone"  # everyone | login_required | friends_only | private | not_found
    school: str | None = None
    subject: str | None = None
    classes: tuple[str, ...] = ()
    contact: str | None = None
    avatar: bool = False
    header_image: bool = False
    background: bool = False
    modules: tuple[ModuleSpec, ...] = ()
    resources: tuple[ResourceSpec, ...] = ()
    articles: tuple[ArticleSpec, ...] = ()
    albums: tuple[AlbumSpec, ...] = ()
    group: str | None = None
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def module(self, type_: str) -> ModuleSpec | None:
        return next((m for m in self.modules if m.type == type_), None)
