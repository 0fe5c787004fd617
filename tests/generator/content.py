"""Draw what one space holds: teacher, resources, articles, albums, modules, wall.

Counts straddle the rubric thresholds (resources 0–45, articles 0–40, albums 0–6 with 0–40
photos, custom modules 0–6). Titles are unique per collection and never ambiguous about
their category: where the platform shows no category label, the title carries exactly one
category keyword and the file type (if shown) agrees with it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, timedelta

from . import banks
from .model import AlbumItem, ArticleItem, Link, ModuleBox, ResourceItem, SpaceModel, Style, Teacher, VideoFile

__all__ = ["draw_space", "keep_lessons", "show_file_sizes"]

_CATEGORY_WEIGHTS = {
    "microlecture": 20,
    "courseware": 20,
    "lesson_plan": 15,
    "lesson_video": 8,
    "exercise": 12,
    "document": 10,
    "audio": 4,
    "image": 5,
    "other": 3,
}
_VIDEO_SOURCES = ["compliant.mp4", "hd25.mp4", "hd25b.mp4", "ratio43.mp4", "fps30.mp4", "late.mp4", "card8.mp4"]
_WALLS = {
    "server": (
        ["open"] * 14
        + [
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
        ]
    ),
    "spa": ["open"] * 9 + ["js_redirect", "friends_only", "private", "not_found_soft"],
}
_EXEMPLARY_CUSTOM = ("活动广场", "特色创新", "家校互动")
# An exemplary space carries what the campaign rubrics count (seeds 000, 001, 004).
_EXEMPLARY_RESOURCES = (
    ("microlecture",) * 6
    + ("courseware",) * 6
    + ("lesson_plan",) * 5
    + ("lesson_video",) * 3
    + (
        "exercise",
        "document",
        "audio",
    )
)
_ANCHORS = (date(2016, 2, 15), date(2022, 4, 20), date(2022, 9, 1), date(2019, 6, 1))
_BUILTIN_CHANCE = {"guestbook": 0.6, "visitors": 0.5, "friends": 0.3, "notice": 0.35, "video": 0.45, "stats": 0.3}


def _day(rng: random.Random, era: tuple[date, date]) -> date:
    span = (era[1] - era[0]).days
    return min(era[0] + timedelta(days=rng.randint(0, max(span, 1))), date(2024, 12, 31))


def _clock(rng: random.Random) -> tuple[int, int, int]:
    # 09:00–19:59 Beijing time: the same calendar day in UTC, so epoch dates are unambiguous.
    return rng.randint(9, 19), rng.randint(0, 59), rng.randint(0, 59)


def _size(rng: random.Random, ext: str, style: Style) -> tuple[str, int]:
    """The size as the platform displays it, and its bytes (binary units)."""
    if ext in ("docx", "doc", "pdf", "jpg", "png", "mp3") and rng.random() < 0.6:
        value: float = rng.randint(12, 980)
        unit, power = "KB", 1
    else:
        high = {"mp4": 300.0, "zip": 80.0, "rar": 80.0}.get(ext, 25.0)
        value = round(rng.uniform(0.3, high), rng.choice((1, 1, 2)))
        unit, power = "MB", 2
    number = f"{value:g}" if unit == "KB" else f"{value}"
    text = style.size_style.format(v=number, u=unit, s=unit[0])
    return text, round(float(number) * 1024**power)


def show_file_sizes(spaces: Iterable[SpaceModel], style: Style, sizes: dict[str, int]) -> None:
    """Display the size of each video served as a file from the file itself, as an upload
    form records it (the drawn size stays for HLS streams, which have no one file). The
    files are made after the draw, so their sizes are known only when the farm starts."""
    for space in spaces:
        for item in space.resources:
            if item.video is None or item.video.source not in sizes:
                continue
            size = sizes[item.video.source]
            number, unit, power = (
                (f"{round(size / 1024)}", "KB", 1) if size < 1024**2 else (f"{size / 1024**2:.2f}", "MB", 2)
            )
            item.size_text = style.size_style.format(v=number, u=unit, s=unit[0])
            item.size_bytes = round(float(number) * 1024**power)


def keep_lessons(spaces: Iterable[SpaceModel], count: int) -> None:
    """At most ``count`` (≥ 1) micro-course videos per space, its other video resources
    left out (a sweep benchmark's many spaces with fewer title cards to read); a box that
    shows the resources' count shows the count left."""
    for space in spaces:
        videos = [item for item in space.resources if item.video is not None]
        dropped = {id(item) for item in videos[count:]}
        space.resources[:] = [item for item in space.resources if id(item) not in dropped]
        space.dims["resources"] = len(space.resources)
        for box in space.modules:
            if box.slot == "resources" and box.count is not None:
                box.count = len(space.resources)


def _resource_title(rng: random.Random, topic: str, grade: str, label: str, keyword: bool) -> str:
    if keyword:
        return rng.choice((f"《{topic}》{label}", f"{grade}{topic}{label}", f"{topic}（{label}）"))
    return rng.choice((f"《{topic}》", f"{grade}上册 {topic}", f"{topic}", f"人教版{grade} {topic}"))


def _resources(
    rng: random.Random,
    style: Style,
    sid: str,
    group: str,
    subject: str,
    era: tuple[date, date],
    count: int,
    original_share: float,
    good_videos: bool,
    required: tuple[str, ...] = (),
) -> list[ResourceItem]:
    topics = banks.TOPICS.get(subject, banks.TOPICS["数学"])
    grades = banks.GRADES[group]
    keyword = style.category_display == "none"
    items: list[ResourceItem] = []
    titles: set[str] = set()
    categories = list(_CATEGORY_WEIGHTS)
    weights = [_CATEGORY_WEIGHTS[c] for c in categories]
    for number in range(count):
        category = required[number] if number < len(required) else rng.choices(categories, weights)[0]
        label = rng.choice(banks.CATEGORY_LABELS[category])
        ext = banks.FORMATS[category][0] if keyword else rng.choice(banks.FORMATS[category])
        title = _resource_title(rng, rng.choice(topics), rng.choice(grades), label, keyword or rng.random() < 0.4)
        if category == "other" and keyword:
            title = title.replace(label, "资料包")
        base, serial = title, 2
        while title in titles:
            title = f"{base}（第{serial}课时）"
            serial += 1
        titles.add(title)
        size_text, size_bytes = _size(rng, ext, style)
        rid = 100 + number * 10 + rng.randint(0, 9)
        video = None
        if ext == "mp4":
            if rng.random() < style.hls_share and not required:
                source, path = "hls", f"/{style.words['media']}/{sid}/{rid}/{rng.choice(('master', 'media'))}.m3u8"
            else:
                compliant = good_videos and (bool(required) or rng.random() < 0.8)
                source = "compliant.mp4" if compliant else rng.choice(_VIDEO_SOURCES)
                path = f"/{style.words['media']}/{sid}/{rid}.mp4"
            embed = style.video_embed
            if source == "hls" and embed == "flash":
                embed = "player_js"
            video = VideoFile(source, path, embed)
        locked = style.item_locks and video is None and rng.random() < 0.12
        items.append(
            ResourceItem(
                id=rid,
                title=title,
                category=category,
                label=label,
                original=number < len(required) or rng.random() < original_share,
                published=_day(rng, era),
                clock=_clock(rng),
                ext=ext,
                size_text=size_text,
                size_bytes=size_bytes,
                visibility="friends_only" if locked else "everyone",
                video=video,
            )
        )
    items.sort(key=lambda r: (r.published, r.clock, r.id), reverse=True)
    return items


def _articles(
    rng: random.Random, subject: str, era: tuple[date, date], count: int, original_share: float, link_chance: float
) -> list[ArticleItem]:
    topics = banks.TOPICS.get(subject, banks.TOPICS["数学"])
    items: list[ArticleItem] = []
    titles: set[str] = set()
    used_links: set[str] = set()
    for number in range(count):
        pattern = rng.choice(banks.ARTICLE_PATTERNS)
        title = pattern.format(topic=rng.choice(topics), theme=rng.choice(banks.THEMES), book=rng.choice(banks.BOOKS))
        base, serial = title, 2
        while title in titles:
            title = f"{base}（{serial}）"
            serial += 1
        titles.add(title)
        links = []
        if rng.random() < link_chance:
            url, text, official = rng.choice(banks.OUTBOUND)
            url = f"{url}{'&' if '?' in url else '?'}from=a{number}"
            if url not in used_links:
                used_links.add(url)
                links.append(Link(url, text, official))
        paragraphs = [
            f"{title}。{rng.choice(banks.THEMES)}是本学期的重点，我在课堂上做了一些尝试。",
            "学生的参与度明显提高，课后作业的完成质量也有进步。",
            "今后还要继续改进教学方法，多向同组老师学习。",
        ][: rng.randint(2, 3)]
        items.append(
            ArticleItem(
                id=5000 + number * 10 + rng.randint(0, 9),
                title=title,
                original=rng.random() < original_share,
                published=_day(rng, era),
                clock=_clock(rng),
                category=rng.choice(banks.ARTICLE_CATEGORIES),
                paragraphs=paragraphs,
                links=links,
            )
        )
    items.sort(key=lambda a: (a.published, a.clock, a.id), reverse=True)
    return items


def _modules(
    rng: random.Random,
    style: Style,
    resources: list[ResourceItem],
    articles: list[ArticleItem],
    albums: list[AlbumItem],
    box_counts: bool,
    customs: int,
    exemplary: bool,
) -> list[ModuleBox]:
    boxes: list[ModuleBox] = []
    if style.profile_where == "home":
        boxes.append(ModuleBox("profile", rng.choice(banks.BUILTIN_TITLES["profile"]), "builtin", None, False))
    for slot, items in (("resources", resources), ("articles", articles), ("albums", albums)):
        count = len(items) if box_counts else None
        boxes.append(ModuleBox(slot, rng.choice(banks.BUILTIN_TITLES[slot]), "builtin", count, rng.random() < 0.85))
    for slot, chance in _BUILTIN_CHANCE.items():
        if slot == "video" and not any(r.video for r in resources):
            continue
        if rng.random() < chance or (exemplary and slot in ("video", "guestbook")):
            boxes.append(ModuleBox(slot, rng.choice(banks.BUILTIN_TITLES[slot]), "builtin", None, False))
    used_links: set[str] = set()
    titles = rng.sample(banks.CUSTOM_TITLES, customs)
    if exemplary:  # the entries the campaigns ask for: 活动广场, 特色创新, 家校互动
        others = [t for t in titles if t not in _EXEMPLARY_CUSTOM]
        titles = [*_EXEMPLARY_CUSTOM, *others][:customs]
    for number, title in enumerate(titles):
        box = ModuleBox("custom", title, "custom", None, rng.random() < 0.4, id=number + 1)
        box.text = rng.choice(("欢迎大家参与交流。", "这里展示我的教学特色与成果。", "持续更新中。", ""))
        for _ in range(rng.choice((0, 0, 1, 2))):
            url, text, official = rng.choice(banks.OUTBOUND)
            if url not in used_links:
                used_links.add(url)
                box.links.append(Link(url, text, official))
        if resources and rng.random() < 0.4:
            pick = rng.choice(resources)
            box.inner.append((pick.title, f"res:{pick.id}"))
        boxes.append(box)
    head = boxes[:1] if boxes and boxes[0].slot == "profile" and rng.random() < 0.7 else []
    rest = boxes[len(head) :]
    rng.shuffle(rest)
    return head + rest


def draw_space(rng: random.Random, style: Style, number: int, sid: str, box_counts: bool) -> SpaceModel:
    """One space. About one in five is exemplary: open, complete, above every count threshold."""
    exemplary = rng.random() < 0.2
    anchor = rng.choice(_ANCHORS[:2] if exemplary else _ANCHORS)
    if exemplary:  # dated inside the campaign windows, spread over several months
        era = (anchor - timedelta(days=rng.randint(70, 90)), anchor + timedelta(days=rng.randint(20, 40)))
    else:
        era = (anchor - timedelta(days=rng.randint(150, 400)), anchor + timedelta(days=rng.randint(60, 300)))
    # The compliant 12-minute micro-course fits the 小学 duration rule (10–15 min) only.
    group = "小学" if exemplary else rng.choice(("幼儿园", "小学", "小学", "初中", "高中"))
    subject = rng.choice(banks.SUBJECTS[group])
    city = rng.choice(banks.CITIES)
    school = city + rng.choice(banks.SCHOOL_KINDS[group])
    name = rng.choice(banks.SURNAMES) + rng.choice(banks.GIVEN)
    grade = rng.choice(banks.GRADES[group])
    classes = [f"{grade}（{n}）班" for n in sorted(rng.sample(range(1, 9), rng.randint(1, 3)))]
    contact = rng.choice(
        (
            f"{rng.randint(13000000000, 18999999999)}",
            f"teacher{rng.randint(100, 999)}@163.com",
            f"0595-{rng.randint(22000000, 28999999)}",
        )
    )
    show = {
        key: exemplary or rng.random() < chance
        for key, chance in (
            ("school", 0.8),
            ("subject", 0.8),
            ("classes", 0.6),
            ("contact", 0.6),
            ("avatar", 0.8),
            ("header", 0.6),
            ("background", 0.5),
        )
    }
    teacher = Teacher(name, school, subject, classes, contact, show)
    wall = "open" if exemplary else rng.choice(_WALLS[style.kind])
    if wall.startswith("not_found"):
        wall_text = rng.choice(banks.WALL_WORDS["not_found"])
    elif wall in ("friends_only", "private"):
        wall_text = rng.choice(banks.WALL_WORDS[wall])
    else:
        wall_text = rng.choice(banks.WALL_WORDS["login"])
    size = rng.random()
    n_res = 0 if size < 0.08 else rng.randint(1, 12) if size < 0.35 else rng.randint(12, 45)
    n_art = 0 if rng.random() < 0.1 else rng.randint(1, 40)
    good_videos = rng.random() < 0.4
    if exemplary:
        n_res, n_art, good_videos = rng.randint(len(_EXEMPLARY_RESOURCES), 45), rng.randint(15, 40), True
    required = _EXEMPLARY_RESOURCES if exemplary else ()
    share = rng.uniform(0.75, 1.0) if exemplary else rng.random()
    resources = _resources(rng, style, sid, group, subject, era, n_res, share, good_videos, required)
    share = rng.uniform(0.75, 1.0) if exemplary else rng.random()
    articles = _articles(rng, subject, era, n_art, share, rng.choice((0.0, 0.2, 0.5)))
    album_names = rng.sample(
        banks.ALBUM_NAMES, rng.randint(3, 6) if exemplary else rng.choice((0, 1, 2, 3, 3, 4, 5, 6))
    )
    albums = [
        AlbumItem(
            700 + i * 3,
            name_,
            rng.randint(5, 15) if exemplary else rng.choice((0, rng.randint(1, 12), rng.randint(5, 40))),
        )
        for i, name_ in enumerate(album_names)
    ]
    customs = rng.randint(4, 6) if exemplary else rng.choice((0, 1, 2, 3, 4, 4, 5, 6))
    modules = _modules(rng, style, resources, articles, albums, box_counts, customs, exemplary)
    banner = rng.choice(("{name}的教师空间", "{name}的个人空间", "{name}", "欢迎来到{name}老师的空间"))
    dims: dict[str, object] = {
        "wall": wall,
        "group": group,
        "resources": n_res,
        "articles": n_art,
        "albums": len(albums),
        "custom_modules": customs,
        "good_videos": good_videos,
        "exemplary": exemplary,
        "banner": banner,
        "profile_shown": sorted(k for k, v in show.items() if v),
    }
    return SpaceModel(
        index=number,
        sid=sid,
        wall=wall,
        wall_text=wall_text,
        wall_name=rng.random() < 0.6,
        group=group,
        teacher=teacher,
        resources=resources,
        articles=articles,
        albums=albums,
        modules=modules,
        banner=banner,
        dims=dims,
    )
