"""The JSON APIs: paged lists (four real-world envelope shapes, real-world field names),
the SPA's space/layout/detail/album answers. A record carries only what the page shows
(no hidden ``isOriginal`` behind a page that never says 原创), so JSON and page agree."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

from .model import AlbumItem, ArticleItem, ResourceItem, SpaceModel
from .site import Site

__all__ = ["album_payload", "detail_payload", "list_payload", "space_payload"]

_CST = timezone(timedelta(hours=8))


def date_value(site: Site, day: Any, clock: tuple[int, int, int]) -> str | int:
    moment = datetime(day.year, day.month, day.day, *clock, tzinfo=_CST)
    if site.s.json_date == "epoch_ms":
        return int(moment.timestamp() * 1000)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _original(site: Site, value: bool) -> object:
    key = site.s.json_fields["original"]
    return (1 if value else 0) if key == "isOriginal" else ("原创" if value else "转载")


def _category(site: Site, label: str) -> dict[str, Any]:
    if site.s.json_category == "tag_list":
        return {"tag_list": [{"tag_name": label}]}
    return {site.s.json_category: label}


def resource_record(site: Site, r: ResourceItem, detail: bool = False) -> dict[str, Any]:
    s, f = site.s, site.s.json_fields
    rec: dict[str, Any] = {f["id"]: r.id, f["title"]: r.title, f["date"]: date_value(site, r.published, r.clock)}
    if s.original_display in ("text", "bracket", "icon", "column") or (detail and s.original_display == "detail"):
        rec[f["original"]] = _original(site, r.original)
    if s.category_display == "label" or (detail and s.category_display != "none"):
        rec.update(_category(site, r.label))
    meta = s.res_meta == "listing" or (detail and s.res_meta == "detail")
    if s.json_format == "ti_items":
        entry: dict[str, Any] = {}
        if meta:
            entry.update(ti_format=r.ext, ti_size=r.size_bytes)
        if r.video:
            entry["ti_storages"] = [site.abs_path(r.video.path)]
        if entry:
            rec["ti_items"] = [entry]
    else:
        if meta:
            rec[f["format"]] = r.ext
            rec[f["size"]] = r.size_bytes
        if r.video and detail:
            rec["videoUrl"] = site.abs_path(r.video.path)
    return rec


def article_record(site: Site, a: ArticleItem, detail: bool = False) -> dict[str, Any]:
    s, f = site.s, site.s.json_fields
    rec: dict[str, Any] = {f["id"]: a.id, f["title"]: a.title}
    if s.article_date_where == "listing" or detail:
        rec[f["date"]] = date_value(site, a.published, a.clock)
    if s.original_display in ("text", "bracket", "icon", "column") or (detail and s.original_display == "detail"):
        rec[f["original"]] = _original(site, a.original)
    if s.article_category_where == "row" or (detail and s.article_category_where == "detail"):
        rec.update(_category(site, a.category))
    if detail:
        rec["content"] = "".join(f"<p>{p}</p>" for p in a.paragraphs) + "".join(
            f'<p>参考：<a href="{link.url}" target="_blank">{link.text}</a></p>' for link in a.links
        )
    return rec


def album_record(site: Site, album: AlbumItem) -> dict[str, Any]:
    f = site.s.json_fields
    rec: dict[str, Any] = {
        f["id"]: album.id,
        f["title"]: album.name,
        "cover": site.urls.image(f"{site.v.w('cover')}{album.id % 5}.jpg"),
    }
    if site.s.album_count_fmt != "none":
        rec[f["count"]] = album.photos
    return rec


def envelope(site: Site, records: list[dict[str, Any]], total: int, page: int, size: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / size))
    shape = site.s.json_shape
    if shape == "rows_total":
        return {"rows": records, "total": total}
    if shape == "list_totalrow":
        return {
            "success": True,
            "list": records,
            "totalRow": total,
            "totalPage": pages,
            "pageNumber": page,
            "pageSize": size,
        }
    if shape == "data_items":
        return {"data": {"items": records, "total": total}}
    return {
        "code": 0,
        "msg": "success",
        "data": {"records": records, "total": total, "pages": pages, "current": page, "size": size},
    }


def list_payload(site: Site, space: SpaceModel, kind: str, page: int, size: int) -> dict[str, Any]:
    size = min(max(size or site.s.page_size, 1), 100)
    pools: dict[str, list[Any]] = {"res": space.resources, "art": space.articles, "alb": space.albums}
    items = pools[kind]
    chunk = items[(page - 1) * size : page * size]
    if kind == "res":
        records = [resource_record(site, r) for r in chunk]
    elif kind == "art":
        records = [article_record(site, a) for a in chunk]
    else:
        records = [album_record(site, a) for a in chunk]
    return envelope(site, records, len(items), page, size)


def detail_payload(site: Site, space: SpaceModel, kind: str, id_: int) -> dict[str, Any] | None:
    if kind == "res":
        res = next((r for r in space.resources if r.id == id_), None)
        return None if res is None else {"code": 0, "data": resource_record(site, res, detail=True)}
    art = next((a for a in space.articles if a.id == id_), None)
    return None if art is None else {"code": 0, "data": article_record(site, art, detail=True)}


def album_payload(site: Site, space: SpaceModel, id_: int) -> dict[str, Any] | None:
    album = next((a for a in space.albums if a.id == id_), None)
    if album is None:
        return None
    word = site.v.w("photo")
    pictures = [{"url": site.urls.image(f"{word}{album.id}_{i}.jpg")} for i in range(album.photos)]
    return {"code": 0, "data": {"name": album.name, "picture_list": pictures}}


def space_payload(site: Site, space: SpaceModel, login_url: str) -> dict[str, Any]:
    """What the SPA asks first: the wall, or the banner, profile and module layout."""
    t = space.teacher
    if space.wall == "js_redirect":
        return {"code": 401, "msg": space.wall_text, "loginUrl": login_url}
    if space.wall in ("friends_only", "private"):
        return {"code": 403, "msg": space.wall_text, "name": t.name if space.wall_name else None}
    if space.wall.startswith("not_found"):
        return {"code": 404, "msg": space.wall_text}
    profile: dict[str, Any] = {"name": t.name}
    if t.show["school"]:
        profile["school"] = t.school
    if t.show["subject"]:
        profile["subject"] = t.subject
    if t.show["classes"]:
        profile["classes"] = site.classes_sep.join(t.classes)
    if t.show["contact"]:
        profile["contact"] = t.contact
    if t.show["avatar"]:
        profile["avatar"] = site.urls.image(f"{site.v.w('avatarfile')}{space.index}.jpg")
    skin: dict[str, Any] = {}
    if t.show["header"]:
        skin["banner"] = site.urls.image(f"{site.v.w('hdrfile')}{space.index}.jpg")
    if t.show["background"]:
        skin["background"] = site.urls.image(f"{site.v.w('bgfile')}{space.index}.jpg")
    modules = []
    for number, mod in enumerate(space.modules):
        entry: dict[str, Any] = {
            "id": f"{site.v.w('boxid')}{number}",
            "title": mod.name,
            "w": site.v.w(f"slot:{mod.slot}"),
            "more": mod.more,
        }
        if site.s.module_marking != "headings":  # the page marks custom boxes: so does its data
            entry["type"] = site.s.custom_word if mod.kind == "custom" else "system"
        if mod.count is not None:
            entry["count"] = mod.count
        content = ""
        if mod.slot == "custom":
            content = "".join([f"<p>{mod.text}</p>"] if mod.text else []) + "".join(
                f'<p><a href="{link.url}" target="_blank">{link.text}</a></p>' for link in mod.links
            )
            if not content:
                content = f'<img src="{site.urls.image(site.v.w("cert") + ".jpg")}" alt="{mod.name}">'
        elif mod.slot == "notice":
            content = "<p>欢迎访问，资源持续更新中。</p>"
        entry["content"] = content
        modules.append(entry)
    return {
        "code": 0,
        "data": {"banner": space.banner.format(name=t.name), "profile": profile, "skin": skin, "modules": modules},
    }
