"""The drawn content of a platform: its style (how it shows things) and its spaces (what
they hold). Renderers read these; the ground truth is computed from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .vocab import Vocab

__all__ = [
    "AlbumItem",
    "ArticleItem",
    "Link",
    "ModuleBox",
    "Platform",
    "ResourceItem",
    "SpaceModel",
    "Style",
    "Teacher",
    "VideoFile",
]


@dataclass
class VideoFile:
    source: str  # a VIDEO_FACTS file name, or "hls"
    path: str  # the URL path on the platform (the master/media playlist for HLS)
    embed: str  # how the detail page carries it


@dataclass
class Link:
    url: str
    text: str
    official: bool


@dataclass
class ResourceItem:
    id: int
    title: str
    category: str  # the contract category (truth)
    label: str  # the platform's category label
    original: bool
    published: date
    clock: tuple[int, int, int]
    ext: str
    size_text: str  # as displayed, e.g. "2.5 MB"
    size_bytes: int
    visibility: str = "everyone"
    video: VideoFile | None = None


@dataclass
class ArticleItem:
    id: int
    title: str
    original: bool
    published: date
    clock: tuple[int, int, int]
    category: str
    paragraphs: list[str]
    links: list[Link]


@dataclass
class AlbumItem:
    id: int
    name: str
    photos: int


@dataclass
class ModuleBox:
    slot: str  # profile | articles | resources | albums | guestbook | ... | custom
    name: str  # the title shown
    kind: str  # builtin | custom
    count: int | None  # the count shown in the header, or None
    more: bool  # a 更多 link to a listing or a page of its own
    links: list[Link] = field(default_factory=list)  # custom boxes: outbound links
    inner: list[tuple[str, str]] = field(default_factory=list)  # custom boxes: (text, internal path)
    text: str = ""
    id: int = 0


@dataclass
class Teacher:
    name: str
    school: str
    subject: str
    classes: list[str]
    contact: str
    show: dict[str, bool]  # which of school/subject/classes/contact/avatar/header/background are shown


@dataclass
class SpaceModel:
    index: int
    sid: str
    wall: str  # open | login_302_sso | login_302_path | login_form | js_redirect | http_401 | http_403 |
    # friends_only | private | not_found_404 | not_found_soft
    wall_text: str
    wall_name: bool  # the friends-only/private page shows the teacher's name
    group: str
    teacher: Teacher
    resources: list[ResourceItem]
    articles: list[ArticleItem]
    albums: list[AlbumItem]
    modules: list[ModuleBox]
    banner: str  # how the banner names the teacher ("{name}的教师空间" …)
    dims: dict[str, Any] = field(default_factory=dict)


@dataclass
class Style:
    """Every way the platform's markup varies; one value per dimension, drawn per platform."""

    kind: str  # server | spa
    url_style: str  # server: path | query | route; spa: hash | query | path
    spa_routing: str  # hash | pushstate | tabs ("" for server platforms)
    spa_items: str  # detail_pages | in_app ("" for server platforms)
    encoding: str  # utf-8 | gbk | gb18030
    charset_where: str  # header | meta | both
    list_shape: str  # ul | table | cards | dl
    wrap_depth: int
    title_place: str  # text | attr_truncated | caption | alt
    date_format: str  # iso | cn | slash | dot | year_heading | datetime
    json_date: str  # string | epoch_ms
    original_display: str  # text | bracket | icon | column | detail | none
    category_display: str  # label | tabs_all | tabs_only | none
    res_meta: str  # listing | detail | none (format and size)
    size_style: str  # "2.5 MB" | "2.5M" | "(2.50MB)" …
    pager: str  # total_pages | fraction | numbers | next_only | gopage | load_more | infinite
    scroll_hint: bool
    pager_items: bool  # the pager also says 共 N 条
    page_size: int
    page_param: str
    size_param: str
    first_page_param: bool
    module_marking: str  # data_attr | data_type_attr | class_word | layout_json | layout_api | headings
    custom_word: str  # the meaningful word that marks custom modules (custom/diy/zdy/userdefined)
    count_style: str  # paren | fullparen | pian | gong | bracket
    profile_layout: str  # colon | dl | table | span_em | pipe
    profile_where: str  # home | page
    profile_page_title: str
    avatar_cue: str  # alt | near_name | title_attr
    header_style: str  # img | css
    background_style: str  # body_style | style_tag
    album_layout: str  # thumb_count_beside | name_in_link
    album_count_fmt: str  # gong | zhang | paren | name_paren | none
    video_embed: str  # video_tag | source_tag | player_js | jwplayer | ckplayer | flash | storage_json
    hls_share: float
    json_shape: str  # rows_total | list_totalrow | data_items | code_records
    json_fields: dict[str, str]
    json_category: str  # tag_list | typeName | category
    json_format: str  # flat | ti_items
    nav_tag: bool
    header_tag: bool
    footer_tag: bool
    item_locks: bool
    article_category_where: str  # row | detail | none
    article_date_where: str  # listing | detail
    sid_form: str  # digits | nid | hex_upper | hex_lower | slug
    words: dict[str, str]  # URL path words
    # A layer floating over every server page (the platform's, never a module): none |
    # service (a customer-service bar) | notice (a notice dialog) | app (an app's QR code);
    # and how the markup says it floats: inline_fixed | style_rule (a rule of the page's
    # own <style>) | aria (role=dialog) | framework (a web framework's dialog classes).
    float_layer: str = "none"
    float_cue: str = ""
    # absolute | relative: recent dates shown against the server's own clock (今天 10:20,
    # 昨天, 3天前; 05-12 within its year), as its Date header gives it.
    recent_dates: str = "absolute"


@dataclass
class Platform:
    seed: int
    index: int
    style: Style
    vocab: Vocab
    spaces: list[SpaceModel]
    dimensions: dict[str, Any]
    base_url: str = ""  # set when the platform is bound to its server
    sso_url: str = ""
