"""Inline JavaScript shared by server pages and SPAs: a display library driven by a config
object (dates, sizes, labels, row templates), the 加载更多 / infinite-scroll loader of
server listings, and the layout script (embedded JSON or a JSON API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .markup import Markup

if TYPE_CHECKING:
    from .model import SpaceModel
    from .site import Site

__all__ = ["JS_LIB", "display_config", "js_source", "layout_script", "loader_script", "template"]


def js_source(name: str) -> str:
    """A script of ``js/`` (plain JavaScript, inlined into pages; no build step)."""
    return (Path(__file__).parent / "js" / name).read_text(encoding="utf-8")


# The scripts write non-ASCII text as \\u escapes, so they survive any page encoding.
JS_LIB = js_source("lib.js")
LOADER_JS = js_source("loader.js")


def template(render: Any, keys: list[str]) -> str:
    """Render with sentinel values: the template the script fills (``\\x01key\\x01``)."""
    return str(render({k: f"\x01{k}\x01" for k in keys}))


def script_tag(config: dict[str, Any], *code: str) -> str:
    text = json.dumps(config).replace("</", "<\\/")  # ASCII only: safe in GBK pages too
    return f"<script>var C = {text};{''.join(code)}</script>"


def display_config(site: Site, m: Markup) -> dict[str, Any]:
    s = site.s
    return {
        "F": s.json_fields,
        "jcat": s.json_category,
        "dateFormat": s.date_format,
        "sizeStyle": s.size_style,
        "catStyle": m.cat_style,
        "fmtStyle": m.fmt_style,
        "trunc": m.trunc,
        "thumb": site.urls.image(f"{site.v.w('thumb')}__N__.png"),
    }


def loader_script(site: Site, space: SpaceModel, kind: str, last_year: str, pages: int) -> str:
    """The script of a server listing whose later pages come from a JSON API."""
    from .pages import article_row, resource_row

    if pages <= 1:
        return ""
    m = site.markup("loader")
    s = site.s
    if kind == "res":
        sample = resource_row(site, m, space, space.resources[0], False)
    else:
        sample = article_row(site, m, space, space.articles[0])
    keys = [k for k in sample if k not in ("lock", "year")]
    place = s.title_place if kind == "res" else ("caption" if s.title_place == "alt" else s.title_place)
    row_tpl = template(lambda d: m.row(d, place), keys)
    columns = m.table_head(sample).count("<th>")
    config = display_config(site, m)
    config["link"] = {kind: ["href", site.item_href(space, kind, "__ID__")]}
    config["loader"] = {
        "kind": kind,
        "listId": site.v.w(f"list:{kind}"),
        "pages": pages,
        "lastYear": last_year,
        "years": "year" in sample,
        "rowTpl": row_tpl,
        "yearTpl": m.year_row("\x01year\x01", columns),
        "button": site.v.w("loadbtn") if s.pager == "load_more" else "",
        "api": site.abs_path(site.urls.api(space.sid, kind, **{s.page_param: "__P__", s.size_param: s.page_size})),
    }
    return script_tag(config, JS_LIB, LOADER_JS)


def layout_script(site: Site, space: SpaceModel, m: Markup) -> str:
    """The module layout as an embedded JSON variable, or fetched from a JSON API."""
    from .boxes import layout_json

    var = site.v.w("layoutvar")
    if site.s.module_marking == "layout_json":
        return f"<script>var {var} = {layout_json(site, space)};</script>"
    if site.s.module_marking == "layout_api":
        url = site.abs_path(site.urls.api(space.sid, "layout"))
        return (
            f"<script>(function(){{var x = new XMLHttpRequest(); x.open('GET', '{url}');"
            f"x.onload = function(){{ window.{var} = JSON.parse(x.responseText); }}; x.send();}})();</script>"
        )
    return ""
