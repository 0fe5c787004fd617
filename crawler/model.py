"""The snapshot of one space: plain, frozen data that serializes to the check-1 JSON.

Nothing here knows about Playwright or HTTP; inspectors, the store and the reports read
these classes only. ``None`` always means "not visible from the public page".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = [
    "Album",
    "Article",
    "COLLECTIONS",
    "Completeness",
    "CrawlInfo",
    "DeclaredVideo",
    "Module",
    "OutboundLink",
    "Profile",
    "Resource",
    "SpaceSnapshot",
    "Target",
    "Video",
    "VideoProbe",
    "Visibility",
]

CATEGORIES = (
    "microlecture",
    "courseware",
    "lesson_plan",
    "lesson_video",
    "exercise",
    "audio",
    "document",
    "image",
    "link",
    "other",
)
CRAWL_STATUSES = ("ok", "login_required", "not_found", "unreachable", "blocked", "error")
VISIBILITIES = ("everyone", "login_required", "friends_only", "private", "unknown")


@dataclass(frozen=True)
class Target:
    """What the campaign's list says about a space (only the URL is required)."""

    url: str
    teacher: str | None = None
    school: str | None = None
    group: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class CrawlInfo:
    """How the visit went."""

    final_url: str
    platform: str
    status: str
    error: str | None
    pages: int
    via: str
    started_at: str
    finished_at: str
    # What the visit cost (additive in check-1): requests of every kind (pages, redirect
    # hops, robots.txt, the browser's sub-requests, video reads), bytes received, and
    # browser tabs rendered.
    requests: int = 0
    bytes: int = 0
    renders: int = 0


@dataclass(frozen=True)
class Visibility:
    value: str
    evidence: str


@dataclass(frozen=True)
class Profile:
    name: str | None = None
    avatar: str | None = None
    school: str | None = None
    subject: str | None = None
    classes: tuple[str, ...] = ()
    contact: str | None = None
    header_image: str | None = None
    background: str | None = None


@dataclass(frozen=True)
class Module:
    """A box or widget on the home page."""

    name: str
    kind: str  # builtin | custom
    url: str | None = None
    items: int | None = None


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    category: str
    original: bool | None
    published: str | None
    visibility: str
    format: str | None
    size_bytes: int | None


@dataclass(frozen=True)
class Article:
    title: str
    url: str
    original: bool | None
    published: str | None
    category: str | None


@dataclass(frozen=True)
class Album:
    name: str
    url: str | None
    photos: int | None


@dataclass(frozen=True)
class VideoProbe:
    """What was read from the video file itself."""

    status: str  # ok | unreachable | not_video | error
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    display_aspect: str | None = None
    fps: float | None = None
    duration_s: float | None = None
    size_bytes: int | None = None
    faststart: bool | None = None
    title_card_s: float | None = None
    bytes_read: int | None = None
    # What the title card says (OCR, one line per text row), the five items seed 001 asks
    # for (None where the card does not show one) and the OCR's mean confidence (0..1).
    title_card_text: str | None = None
    title_card_fields: dict[str, str | None] | None = None
    title_card_confidence: float | None = None
    # Sound and light measured on sampled stretches: {"present", "loudness_lufs", "snr_db"}
    # and {"luma_mean", "luma_uniformity"}; None when not measured.
    audio: dict[str, Any] | None = None
    picture: dict[str, Any] | None = None
    # Why a probe failed or what it could not measure, for findings; not part of the
    # check-1 contract, so it is left out of the JSON.
    detail: str | None = field(default=None, compare=False, metadata={"contract": False})
    # A small JPEG of the title card frame (base64), for the report card's thumbnail; stored
    # as a blob of the snapshot, not in the JSON.
    card_image: str | None = field(default=None, compare=False, repr=False, metadata={"contract": False})
    # False when the card's text, the sound and the light were left unread on purpose (the
    # rubric does not judge them); a rubric that does has the file probed again.
    content_read: bool = field(default=True, compare=False, metadata={"contract": False})
    # False when not even the opening was decoded for the card's length (the rubric judges
    # neither the card's length nor what the lesson shows).
    card_read: bool = field(default=True, compare=False, metadata={"contract": False})

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> VideoProbe:
        """A probe as stored (probe cache, crawl state, a worker's message); keys another
        version of spacebot wrote that this one does not know are left out."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def covers(self, content: bool, card: bool) -> bool:
        """Whether this probe read what a rubric that judges ``content`` (the card's text,
        the sound, the light) and ``card`` (the card's length) needs."""
        return (self.content_read or not content) and (self.card_read or self.content_read or not card)

    @property
    def depth(self) -> int:
        """How much of the file was read: 2 its content, 1 the card's length, 0 the container only."""
        return 2 if self.content_read else 1 if self.card_read else 0


@dataclass(frozen=True)
class DeclaredVideo:
    """What the page says beside a video (时长 / 大小 / 分辨率); compared with the file."""

    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class Video:
    url: str
    page_url: str
    title: str | None
    probe: VideoProbe | None = None
    # Not part of the check-1 contract: left out of the JSON, used by findings.
    declared: DeclaredVideo | None = field(default=None, compare=False, metadata={"contract": False})


@dataclass(frozen=True)
class OutboundLink:
    url: str
    text: str
    domain: str
    official: bool
    page_url: str


COLLECTIONS = ("resources", "articles", "albums", "photos", "videos")


@dataclass(frozen=True)
class Completeness:
    """One collection as the space declares it against what was read.

    ``declared`` is what the space itself shows (资源(27), 共 87 条, an API total), or None
    when it shows nothing; ``complete`` is False when more is shown than was read or a
    listing could not be read to its end. Rules over an incomplete collection keep their
    verdict only when the unread items could not change it.
    """

    declared: int | None
    read: int
    complete: bool
    evidence: str
    url: str | None = None

    @property
    def unread(self) -> int | None:
        """How many items may be missing: 0 when complete, None when nobody can tell."""
        if self.complete:
            return 0
        if self.declared is not None and self.declared > self.read:
            return self.declared - self.read
        return None


@dataclass(frozen=True)
class SpaceSnapshot:
    """Everything extracted from one visit to one space."""

    target: Target
    crawl: CrawlInfo
    visibility: Visibility
    profile: Profile = field(default_factory=Profile)
    modules: tuple[Module, ...] = ()
    resources: tuple[Resource, ...] = ()
    articles: tuple[Article, ...] = ()
    albums: tuple[Album, ...] = ()
    videos: tuple[Video, ...] = ()
    outbound_links: tuple[OutboundLink, ...] = ()
    # Per collection (COLLECTIONS): declared against read; empty for a space behind a wall.
    completeness: dict[str, Completeness] = field(default_factory=dict)
    # How the listings looked (first-page fingerprints and their items), for the next
    # crawl of this space; not part of the check-1 contract.
    state: dict[str, Any] | None = field(default=None, compare=False, metadata={"contract": False})
    # The home page as fetched (HTML) and as seen (PNG), for the store's blobs; not in the JSON.
    artifacts: dict[str, bytes] = field(default_factory=dict, compare=False, metadata={"contract": False})

    @property
    def counts(self) -> dict[str, int]:
        """The contract's counts: lengths of the lists, photos summed over albums."""
        return {
            "modules": len(self.modules),
            "custom_modules": sum(1 for m in self.modules if m.kind == "custom"),
            "resources": len(self.resources),
            "articles": len(self.articles),
            "albums": len(self.albums),
            "photos": sum(a.photos or 0 for a in self.albums),
            "videos": len(self.videos),
            "outbound_links": len(self.outbound_links),
        }

    def to_dict(self) -> dict[str, Any]:
        """The snapshot part of the check-1 JSON (lists as lists, ``counts`` included)."""
        data = asdict(self)
        data.pop("state", None)
        data.pop("artifacts", None)
        data["profile"]["classes"] = list(self.profile.classes)
        for key in ("modules", "resources", "articles", "albums", "videos", "outbound_links"):
            data[key] = list(data[key])
        data["counts"] = self.counts
        data["completeness"] = {key: asdict(value) for key, value in self.completeness.items()}
        for video in data["videos"]:
            video.pop("declared", None)
            if video["probe"] is not None:
                video["probe"].pop("detail", None)
                video["probe"].pop("card_image", None)
                video["probe"].pop("content_read", None)
                video["probe"].pop("card_read", None)
        return data
