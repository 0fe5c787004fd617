"""Ground truth of a generated space, in the shape of the check-1 JSON, and the same truth
as a ``crawler.SpaceSnapshot`` so rubrics can be applied to it.

Conventions (what a careful anonymous visitor reads):
- ``crawl.status``: ok for open, friends-only and private spaces (the page loaded; the
  owner restricts it); login_required behind any login wall; not_found for missing spaces.
- ``published``: the calendar date shown (ISO). "03-01" under a "2022年" heading is
  2022-03-01; epoch milliseconds are read in Beijing time (all times are 09:00–19:59, so the
  UTC date is the same).
- ``category``: the platform's label (in the row, as the listing tab the item is under, or
  分类： on the detail page). Without a label the file type decides where it is unambiguous
  (ppt/pptx courseware, mp3 audio, jpg/png image) and otherwise the one category keyword
  the title then carries (微课, 课例, 教学设计, 练习 …; docx/pdf/mp4 alone decide nothing).
- ``resources[].visibility``: friends_only for a row marked 仅好友可见 (its detail page is
  walled; its other fields come from the row and the detail page's header), else everyone.
- ``size_bytes``: the displayed number times 1024 per unit step (KB, MB), rounded.
- Item ``url``: the page the item opens. Where an SPA opens an item only by an in-app route
  (a hash route, a pushState view, a click) the expected ``url`` is None and the scorer
  matches the item by its normalised title (titles are unique per collection).
- ``modules[].url``: the absolute address the box's 更多 link opens (an SPA hash route
  included), None when the box has no such link or it has no href.
- ``modules``: the boxes of the home page, in page order, named by their title without the
  header count (资源(27) → 资源, items 27). Not modules: the banner heading with the
  teacher's name, nav entries, the footer, a heading with no box under it (欢迎来到我的空间).
  The profile box is a module only where the profile sits on the home page. ``custom`` =
  a box the teacher titled (活动广场 …); renamed builtins (教学随笔, 我的资源), the 视频/微课
  widget, 统计, 公告, 留言板, 访客, 好友 are builtin. A 更多 link with ``javascript:;`` → url None.
- ``videos``: one per distinct file URL (an HLS video by the playlist URL the page names);
  ``page_url`` is the resource's detail page (None for in-app SPA items). HLS probes: what
  the playlist and first segment say (1280×720, 25 fps, 4 s); size, faststart, card None.
  Every file video is a lesson whose card shows the five items of ``CARD_A``, with a normal
  voice and even light (tests/farm/lessons.py); on HLS those are not measured (None).
- ``outbound_links``: links to other hosts in custom boxes (page_url = the home page) and
  article bodies (page_url = the article page), one per URL; official = *.gov.cn/*.edu.cn.
- ``completeness[*].declared``: an item count the space states (box count 资源(27), 统计
  资源：27, a pager's 共 87 条, an API total the page asks for, each album's 共 N 张); a
  page count alone (共 5 页) is not an item count. Videos: never declared (None).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawler import (
    Album,
    Article,
    CrawlInfo,
    Module,
    OutboundLink,
    Profile,
    Resource,
    SpaceSnapshot,
    Target,
    Video,
    VideoProbe,
    Visibility,
)
from tests.farm.lessons import AUDIO_KINDS, CARD_A, FIELDS_A
from tests.farm.videos import VIDEO_FACTS

from .model import SpaceModel
from .site import Site

__all__ = ["expected_for", "probe_truth", "status_of", "truth_from_expected"]

_CONTENT = ("title_card_text", "title_card_fields", "title_card_confidence", "audio", "picture")

_LOGIN = {"login_302_sso", "login_302_path", "login_form", "js_redirect", "http_401", "http_403"}


def status_of(wall: str) -> tuple[str, str]:
    """(crawl.status, visibility.value) of a wall."""
    if wall in _LOGIN:
        return "login_required", "login_required"
    if wall in ("friends_only", "private"):
        return "ok", wall
    if wall.startswith("not_found"):
        return "not_found", "unknown"
    return "ok", "everyone"


def probe_truth(source: str, sizes: dict[str, int]) -> dict[str, Any]:
    if source == "hls":  # the HLS stream of tests/farm/videos.py; size, faststart and card are not measured
        return {
            "status": "ok",
            "codec": "h264",
            "width": 1280,
            "height": 720,
            "display_aspect": "16:9",
            "fps": 25.0,
            "duration_s": 4.0,
            "size_bytes": None,
            "faststart": None,
            "title_card_s": None,
            **dict.fromkeys(_CONTENT),  # sound, light and the card's text are not measured on HLS
        }
    facts = VIDEO_FACTS[source]
    return {
        "status": "ok",
        "codec": "h264",
        "width": facts.width,
        "height": facts.height,
        "display_aspect": facts.display_aspect,
        "fps": float(facts.fps),
        "duration_s": facts.seconds,
        "size_bytes": sizes.get(source),
        "faststart": facts.faststart,
        "title_card_s": facts.card_seconds,
        # every farm video is a lesson with CARD_A, a normal voice and even light
        "title_card_text": "\n".join(CARD_A),
        "title_card_fields": dict(FIELDS_A),
        "title_card_confidence": 1.0,
        "audio": {"present": True, "loudness_lufs": AUDIO_KINDS["normal"].lufs, "snr_db": AUDIO_KINDS["normal"].snr_db},
        "picture": {"luma_mean": 140.0, "luma_uniformity": 0.97},  # what the probe reads of LIGHT_KINDS["normal"]
    }


def _profile(site: Site, space: SpaceModel, readable: bool, name_only: bool) -> dict[str, Any]:
    t = space.teacher
    empty: dict[str, Any] = {
        "name": None,
        "avatar": None,
        "school": None,
        "subject": None,
        "classes": [],
        "contact": None,
        "header_image": None,
        "background": None,
    }
    if name_only:
        return {**empty, "name": t.name}
    if not readable:
        return empty
    image = site.urls.image
    return {
        "name": t.name,
        "avatar": site.abs_url(image(f"{site.v.w('avatarfile')}{space.index}.jpg")) if t.show["avatar"] else None,
        "school": t.school if t.show["school"] else None,
        "subject": t.subject if t.show["subject"] else None,
        "classes": list(t.classes) if t.show["classes"] else [],
        "contact": t.contact if t.show["contact"] else None,
        "header_image": site.abs_url(image(f"{site.v.w('hdrfile')}{space.index}.jpg")) if t.show["header"] else None,
        "background": site.abs_url(image(f"{site.v.w('bgfile')}{space.index}.jpg")) if t.show["background"] else None,
    }


def _spa_route(site: Site, space: SpaceModel, view: str) -> str | None:
    """The absolute address of an SPA link with a hash href (None for data-attribute links)."""
    if site.s.spa_routing != "hash":
        return None
    if site.s.url_style == "hash":
        return site.abs_url(f"/#/space/{space.sid}/{view}")
    return site.abs_url(f"{site.urls.home(space.sid)}#/{view}")


def _module_url(site: Site, space: SpaceModel, slot: str, more: bool, mid: int) -> str | None:
    if not more:
        return None
    kind = {"resources": "res", "articles": "art", "albums": "alb"}.get(slot)
    if site.s.kind == "spa":
        return _spa_route(site, space, site.s.words[kind]) if kind else None
    if kind:
        return site.abs_url(site.listing_url(space, slot))
    return site.abs_url(site.urls.column(space.sid, mid)) if slot == "custom" else None


def _declared(site: Site, space: SpaceModel, slot: str, count: int) -> int | None:
    s = site.s
    if s.kind == "spa":
        return count  # every SPA list comes from an API that states its total
    if any(m.slot == slot and m.count is not None for m in space.modules):
        return count
    if slot in ("resources", "articles") and any(m.slot == "stats" for m in space.modules):
        return count
    if slot == "albums":
        return count if s.pager_items else None
    pages = -(-count // s.page_size)
    if s.pager in ("total_pages", "gopage") and s.pager_items and (pages > 1 or s.pager == "total_pages"):
        if not (slot == "resources" and s.category_display == "tabs_only"):
            return count
    if s.pager in ("load_more", "infinite") and pages > 1:
        return count
    return None


def expected_for(site: Site, space: SpaceModel, sizes: dict[str, int]) -> dict[str, Any]:
    s = site.s
    status, visibility = status_of(space.wall)
    readable = visibility == "everyone"
    name_only = visibility in ("friends_only", "private") and space.wall_name
    url = site.abs_url(site.urls.home(space.sid))
    in_app = s.kind == "spa" and s.spa_items == "in_app"

    def item_url(kind: str, id_: int) -> str | None:
        if in_app:
            return None  # opened by an in-app route only: matched by title
        if kind == "album":
            return site.abs_url(site.urls.album(space.sid, id_))
        return site.abs_url(site.urls.detail(space.sid, kind, id_))

    shown_original = s.original_display != "none"
    doc: dict[str, Any] = {
        "target": {"url": url},
        "crawl": {"status": status},
        "visibility": {"value": visibility},
        "profile": _profile(site, space, readable, name_only),
        "modules": [],
        "resources": [],
        "articles": [],
        "albums": [],
        "videos": [],
        "outbound_links": [],
    }
    if readable:
        doc["modules"] = [
            {"name": m.name, "kind": m.kind, "url": _module_url(site, space, m.slot, m.more, m.id), "items": m.count}
            for m in space.modules
        ]
        doc["resources"] = [
            {
                "title": r.title,
                "url": item_url("res", r.id),
                "category": r.category,
                "original": r.original if shown_original else None,
                "published": r.published.isoformat(),
                "visibility": r.visibility,
                "format": r.ext if s.res_meta != "none" else None,
                "size_bytes": r.size_bytes if s.res_meta != "none" else None,
            }
            for r in space.resources
        ]
        doc["articles"] = [
            {
                "title": a.title,
                "url": item_url("art", a.id),
                "original": a.original if shown_original else None,
                "published": a.published.isoformat(),
                "category": a.category if s.article_category_where != "none" else None,
            }
            for a in space.articles
        ]
        doc["albums"] = [{"name": a.name, "url": item_url("album", a.id), "photos": a.photos} for a in space.albums]
        doc["videos"] = [
            {
                "url": site.abs_url(r.video.path),
                "page_url": item_url("res", r.id),
                "title": r.title,
                "probe": probe_truth(r.video.source, sizes),
            }
            for r in space.resources
            if r.video
        ]
        links: dict[str, dict[str, Any]] = {}
        for mod in space.modules:
            for link in mod.links:
                links.setdefault(
                    link.url,
                    {
                        "url": link.url,
                        "text": link.text,
                        "domain": urlsplit(link.url).hostname,
                        "official": link.official,
                        "page_url": url,
                    },
                )
        for art in space.articles:
            for link in art.links:
                links.setdefault(
                    link.url,
                    {
                        "url": link.url,
                        "text": link.text,
                        "domain": urlsplit(link.url).hostname,
                        "official": link.official,
                        "page_url": item_url("art", art.id),
                    },
                )
        doc["outbound_links"] = list(links.values())
    doc["counts"] = {
        "modules": len(doc["modules"]),
        "custom_modules": sum(1 for m in doc["modules"] if m["kind"] == "custom"),
        "resources": len(doc["resources"]),
        "articles": len(doc["articles"]),
        "albums": len(doc["albums"]),
        "photos": sum(a["photos"] for a in doc["albums"]),
        "videos": len(doc["videos"]),
        "outbound_links": len(doc["outbound_links"]),
    }
    doc["completeness"] = {key: {"declared": None} for key in ("resources", "articles", "albums", "photos", "videos")}
    if readable:
        for key in ("resources", "articles", "albums"):
            doc["completeness"][key]["declared"] = _declared(site, space, key, doc["counts"][key])
        doc["completeness"]["photos"]["declared"] = doc["counts"]["photos"]
    return doc


def truth_from_expected(expected: dict[str, Any], group: str | None) -> SpaceSnapshot:
    """The expected document as a snapshot (None item URLs become the space's own URL)."""
    url = expected["target"]["url"]
    p = expected["profile"]
    videos = []
    for v in expected["videos"]:
        fields = {
            k: v["probe"][k]
            for k in (
                "status",
                "codec",
                "width",
                "height",
                "display_aspect",
                "fps",
                "duration_s",
                "size_bytes",
                "faststart",
                "title_card_s",
                *_CONTENT,
            )
        }
        videos.append(Video(url=v["url"], page_url=v["page_url"] or url, title=v["title"], probe=VideoProbe(**fields)))
    return SpaceSnapshot(
        target=Target(url=url, group=group),
        crawl=CrawlInfo(
            final_url=url,
            platform="generated",
            status=expected["crawl"]["status"],
            error=None,
            pages=0,
            via="http",
            started_at="",
            finished_at="",
        ),
        visibility=Visibility(expected["visibility"]["value"], "ground truth"),
        profile=Profile(
            name=p["name"],
            avatar=p["avatar"],
            school=p["school"],
            subject=p["subject"],
            classes=tuple(p["classes"]),
            contact=p["contact"],
            header_image=p["header_image"],
            background=p["background"],
        ),
        modules=tuple(Module(m["name"], m["kind"], m["url"], m["items"]) for m in expected["modules"]),
        resources=tuple(
            Resource(
                r["title"],
                r["url"] or url,
                r["category"],
                r["original"],
                r["published"],
                r["visibility"],
                r["format"],
                r["size_bytes"],
            )
            for r in expected["resources"]
        ),
        articles=tuple(
            Article(a["title"], a["url"] or url, a["original"], a["published"], a["category"])
            for a in expected["articles"]
        ),
        albums=tuple(Album(a["name"], a["url"], a["photos"]) for a in expected["albums"]),
        videos=tuple(videos),
        outbound_links=tuple(
            OutboundLink(o["url"], o["text"], o["domain"], o["official"], o["page_url"] or url)
            for o in expected["outbound_links"]
        ),
    )
