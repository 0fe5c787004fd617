"""Draw a platform: its style (one value per dimension) and its 1–3 spaces, all from one
seeded ``random.Random``. Every dimension is drawn independently of the others, except
where a combination cannot exist (a 类型 column needs a table)."""

from __future__ import annotations

import random

from .content import draw_space
from .model import Platform, Style
from .vocab import Vocab

__all__ = ["DIMENSIONS", "SPACE_DIMENSIONS", "draw_platform", "platform_seed"]

# Every value each platform dimension can take (the variety test checks they all occur).
DIMENSIONS: dict[str, tuple[object, ...]] = {
    "kind": ("server", "spa"),
    "url_style": ("path", "query", "route", "hash"),
    "spa_routing": ("hash", "pushstate", "tabs"),
    "spa_items": ("detail_pages", "in_app"),
    "encoding": ("utf-8", "gbk", "gb18030"),
    "charset_where": ("header", "meta", "both"),
    "list_shape": ("ul", "table", "cards", "dl"),
    "title_place": ("text", "attr_truncated", "caption", "alt"),
    "date_format": ("iso", "cn", "slash", "dot", "year_heading", "datetime"),
    "json_date": ("string", "epoch_ms"),
    "original_display": ("text", "bracket", "icon", "column", "detail", "none"),
    "category_display": ("label", "tabs_all", "tabs_only", "none"),
    "res_meta": ("listing", "detail", "none"),
    "pager": ("total_pages", "fraction", "numbers", "next_only", "gopage", "load_more", "infinite"),
    "module_marking": ("data_attr", "data_type_attr", "class_word", "layout_json", "layout_api", "headings"),
    "custom_word": ("custom", "diy", "zdy", "userdefined"),
    "count_style": ("paren", "fullparen", "pian", "gong", "bracket"),
    "profile_layout": ("colon", "dl", "table", "span_em", "pipe"),
    "profile_where": ("home", "page"),
    "avatar_cue": ("alt", "near_name", "title_attr"),
    "header_style": ("img", "css"),
    "background_style": ("body_style", "style_tag"),
    "album_layout": ("thumb_count_beside", "name_in_link"),
    "album_count_fmt": ("gong", "zhang", "paren", "name_paren", "none"),
    "video_embed": ("video_tag", "source_tag", "player_js", "jwplayer", "ckplayer", "flash", "storage_json"),
    "json_shape": ("rows_total", "list_totalrow", "data_items", "code_records"),
    "json_category": ("tag_list", "typeName", "category"),
    "json_format": ("flat", "ti_items"),
    "article_category_where": ("row", "detail", "none"),
    "sid_form": ("digits", "nid", "hex_upper", "hex_lower", "slug"),
    "box_counts": (True, False),
    "nav_tag": (True, False),
    "float_layer": ("none", "service", "notice", "app"),
    "float_cue": ("inline_fixed", "style_rule", "aria", "framework"),
    "recent_dates": ("absolute", "relative"),
}
SPACE_DIMENSIONS: dict[str, tuple[object, ...]] = {
    "wall": (
        "open",
        "login_302_sso",
        "login_302_path",
        "login_form",
        "js_redirect",
        "http_401",
        "http_403",
        "friends_only",
        "private",
        "not_found_404",
        "not_found_soft",
    ),
    "group": ("幼儿园", "小学", "初中", "高中"),
}
_JSON_FIELDS = {
    "title": ("title", "name", "resName", "resourceName"),
    "date": ("create_time", "createTime", "publishTime", "pubDate"),
    "format": ("ext", "fileExt", "ti_format"),
    "size": ("size", "fileSize", "ti_size"),
    "original": ("isOriginal", "original_type", "source"),
    "id": ("id", "resId", "rid"),
    "count": ("photoCount", "picNum", "total_pic"),
}


def platform_seed(seed: int, index: int) -> int:
    """The seed of platform ``index`` of a farm drawn from ``seed``."""
    return (seed * 1_000_003 + index * 7919 + 12345) % (2**61 - 1)


def _pick(rng: random.Random, key: str) -> str:
    return str(rng.choice(DIMENSIONS[key]))


def _draw_style(rng: random.Random, vocab: Vocab) -> Style:
    kind = rng.choice(("server", "server", "server", "spa", "spa"))
    spa = kind == "spa"
    url_style = rng.choice(("hash", "query", "path") if spa else ("path", "query", "route"))
    routing = ""
    if spa:
        routing = rng.choice(("hash", "tabs") if url_style == "hash" else ("hash", "pushstate", "tabs"))
    list_shape = _pick(rng, "list_shape")
    date_formats = [str(f) for f in DIMENSIONS["date_format"] if not (f == "year_heading" and list_shape == "dl")]
    originals = [str(o) for o in DIMENSIONS["original_display"] if not (o == "column" and list_shape != "table")]
    pager = rng.choice(("total_pages", "load_more", "infinite")) if spa else _pick(rng, "pager")
    page_links = pager not in ("load_more", "infinite") and not spa
    categories = ("label", "tabs_all", "tabs_only", "none") if page_links else ("label", "none")
    custom_word = _pick(rng, "custom_word")
    fields = {key: rng.choice(options) for key, options in _JSON_FIELDS.items()}
    words = {
        key: vocab.w(f"path:{key}")
        for key in (
            "root",
            "res",
            "art",
            "alb",
            "album",
            "prof",
            "col",
            "api",
            "media",
            "img",
            "dl",
            "detail",
            "view",
            "shell",
            "static",
            "apilayout",
            "apispace",
            "apidetail",
            "apialbum",
        )
    }
    while len(set(words.values())) < len(words):  # two roles drew the same word: tell them apart
        seen: set[str] = set()
        for key, word in words.items():
            words[key] = word + "q" if word in seen else word
            seen.add(words[key])
    return Style(
        kind=kind,
        url_style=url_style,
        spa_routing=routing,
        spa_items=_pick(rng, "spa_items") if spa else "",
        encoding="utf-8" if spa else rng.choice(("utf-8", "utf-8", "gbk", "gb18030")),
        charset_where=_pick(rng, "charset_where"),
        list_shape=list_shape,
        wrap_depth=rng.randint(0, 3),
        title_place=_pick(rng, "title_place"),
        date_format=rng.choice(date_formats),
        json_date=_pick(rng, "json_date"),
        original_display=rng.choice(originals),
        category_display=rng.choice(categories),
        res_meta=_pick(rng, "res_meta"),
        size_style=rng.choice(("{v} {u}", "{v}{u}", "({v}{u})", "{v}{s}")),
        pager=pager,
        scroll_hint=rng.random() < 0.5,
        pager_items=rng.random() < 0.5,
        page_size=rng.randint(5, 20),
        page_param=rng.choice(("page", "p", "pageNo", "pn", "curPage")),
        size_param=rng.choice(("size", "pageSize", "rows", "limit")),
        first_page_param=rng.random() < 0.5,
        module_marking=_pick(rng, "module_marking"),
        custom_word=custom_word,
        count_style=_pick(rng, "count_style"),
        profile_layout=_pick(rng, "profile_layout"),
        profile_where=_pick(rng, "profile_where"),
        profile_page_title=rng.choice(("个人档案", "个人资料", "教师简介", "关于我")),
        avatar_cue=_pick(rng, "avatar_cue"),
        header_style=_pick(rng, "header_style"),
        background_style=_pick(rng, "background_style"),
        album_layout=_pick(rng, "album_layout"),
        album_count_fmt=_pick(rng, "album_count_fmt"),
        video_embed=_pick(rng, "video_embed"),
        hls_share=rng.choice((0.0, 0.0, 0.3)),
        json_shape=_pick(rng, "json_shape"),
        json_fields=fields,
        json_category=_pick(rng, "json_category"),
        json_format=_pick(rng, "json_format"),
        nav_tag=rng.random() < 0.5,
        header_tag=rng.random() < 0.5,
        footer_tag=rng.random() < 0.5,
        item_locks=page_links and rng.random() < 0.3,
        article_category_where=_pick(rng, "article_category_where"),
        article_date_where=rng.choice(("listing", "listing", "detail")),
        sid_form=_pick(rng, "sid_form"),
        words=words,
    )


def _style_dims(style: Style, box_counts: bool) -> dict[str, object]:
    dims: dict[str, object] = {key: getattr(style, key) for key in DIMENSIONS if hasattr(style, key)}
    dims["box_counts"] = box_counts
    if style.kind != "spa":
        dims.pop("spa_routing")
        dims.pop("spa_items")
    if style.pager not in ("load_more", "infinite") and style.kind != "spa":
        dims.pop("json_date")
        dims.pop("json_shape")
        dims.pop("json_category")
        dims.pop("json_format")
    if style.pager == "infinite":
        dims["scroll_hint"] = style.scroll_hint
    if style.pager in ("total_pages", "gopage"):
        dims["pager_items"] = style.pager_items
    dims["page_size"] = style.page_size
    dims["hls_share"] = style.hls_share
    dims["item_locks"] = style.item_locks
    if style.kind == "spa":  # its shell has no server chrome (item pages aside)
        dims.pop("float_layer")
    if style.float_layer == "none" or style.kind == "spa":
        dims.pop("float_cue")
    if style.kind == "spa" or style.date_format == "year_heading":
        dims.pop("recent_dates")
    return dims


def _sid(rng: random.Random, form: str, taken: set[str]) -> str:
    while True:
        if form == "digits":
            sid = str(rng.randint(1000, 9_999_999))
        elif form == "nid":
            sid = f"NID{rng.randint(100000, 999999)}"
        elif form in ("hex_upper", "hex_lower"):
            sid = "".join(rng.choice("0123456789abcdef") for _ in range(32))
            sid = sid.upper() if form == "hex_upper" else sid
        else:
            sid = rng.choice(("lxm", "czq", "wyh", "hjg", "zhw")) + str(rng.randint(1, 2023))
        if sid not in taken:
            taken.add(sid)
            return sid


def draw_platform(seed: int, index: int = 0, spaces: int | None = None) -> Platform:
    """One imitation platform with 1–3 teacher spaces (or ``spaces``, for a sweep benchmark
    on one host) and their ground truth."""
    rng = random.Random(seed)
    vocab = Vocab(seed)
    style = _draw_style(rng, vocab)
    # Drawn apart (its own generator) so that every other draw of a seed stays as it was.
    floating = random.Random(f"{seed}:floating")
    style.float_layer = floating.choice(("none", "none", "service", "notice", "app"))
    cues = ("inline_fixed", "style_rule") + (("aria", "framework") if style.float_layer == "notice" else ())
    style.float_cue = floating.choice(cues) if style.float_layer != "none" else ""
    relative = style.kind == "server" and style.date_format != "year_heading"
    style.recent_dates = random.Random(f"{seed}:recent").choice(("absolute", "relative")) if relative else "absolute"
    box_counts = rng.random() < 0.6
    dims = _style_dims(style, box_counts)
    taken: set[str] = set()
    count = rng.choice((1, 2, 2, 3)) if spaces is None else spaces
    drawn = []
    for number in range(count):
        sid = _sid(rng, style.sid_form, taken)
        space = draw_space(rng, style, number, sid, box_counts)
        space.dims = {**dims, **space.dims}
        drawn.append(space)
    return Platform(seed=seed, index=index, style=style, vocab=vocab, spaces=drawn, dimensions=dims)


def first_seed(kind: str, start: int = 1000, box_counts: bool | None = None, pager: str | None = None) -> int:
    """The first platform seed from ``start`` whose platform is a single-page app
    (``kind == "spa"``), a server layout (``"server"``) or one marking its modules by
    ``kind`` (``layout_api``: a layout script that asks an API and draws nothing); with
    ``box_counts`` given, only one whose module boxes declare their collections' counts
    (True) or do not (False); with ``pager``, only one whose lists page that way."""
    seed = start
    while True:
        platform = draw_platform(seed)
        style = platform.style
        server = style.kind == "server" and kind in ("server", style.module_marking)
        if (kind == "spa" and style.kind == "spa") or server:
            if box_counts is None or platform.dimensions["box_counts"] == box_counts:
                if pager is None or style.pager == pager:
                    return seed
        seed += 1
