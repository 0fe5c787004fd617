"""The Chinese words platforms use for modules, listings, categories and walls.

The generic extractor works from these labels, not from any one platform's markup, so
that it keeps working on a platform it has never seen. Keep the lists data-like.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "BUILTIN_DECLARATIONS",
    "BUILTIN_MODULE_WORDS",
    "EXACT_MODULE_WORDS",
    "CATEGORY_LABELS",
    "CUSTOM_MARKERS",
    "BEIJING",
    "DATE_RE",
    "READ_AT",
    "RELATIVE_DATE_RE",
    "DECISIVE_FORMATS",
    "FORMATS",
    "FORMAT_CATEGORY",
    "FORMAT_TOKEN_RE",
    "LISTING_WORDS",
    "MARKUP_KINDS",
    "MORE_WORDS",
    "NEXT_WORDS",
    "LOAD_MORE_WORDS",
    "OFFICIAL_SUFFIXES",
    "TITLE_KEYWORDS",
    "VIDEO_EXTENSIONS",
    "category_from_label",
    "parse_date",
    "parse_size",
    "relative_date",
    "yearless_date",
]

# Names of the platform's own module kinds; a module titled with one of these is builtin.
BUILTIN_MODULE_WORDS: dict[str, tuple[str, ...]] = {
    "profile": (
        "个人资料",
        "个人信息",
        "个人简介",
        "基本信息",
        "个人档案",
        "关于我",
        "教师简介",
        "我的名片",
        "个人名片",
    ),
    "articles": ("文章", "日志", "博客", "博文", "教学随笔", "我的文章", "最新文章"),
    "resources": ("资源", "我的资源", "教学资源", "资源中心", "最新资源"),
    "albums": ("相册", "我的相册", "照片"),
    "guestbook": ("留言", "留言板", "留言本", "我的留言"),
    "visitors": ("最近访客", "访客", "来访者"),
    "friends": ("好友", "我的好友", "关注", "粉丝"),
    "notice": ("公告", "空间公告"),
    "stats": ("统计", "空间统计", "访问统计", "统计信息", "数据统计"),
}

# Module titles that are builtin kinds only when they are the whole title: a teacher's
# own "物理实验视频" is custom, the platform's "视频" widget is not.
EXACT_MODULE_WORDS: dict[str, tuple[str, ...]] = {
    "videos": ("视频", "我的视频", "微课", "我的微课", "微视频", "视频空间", "视频资源", "精彩视频", "微课视频"),
    "apps": ("应用", "我的应用", "常用应用", "应用中心"),
    "calendar": ("日历", "日程"),
    # A teacher names their own 名师工作室 or 我的班级空间 box; only the bare words are the platform's.
    "classes": ("我的班级", "任教班级", "班级"),
    "groups": ("我的群组", "群组", "我的工作室"),
}
# English words platforms use in markup and data to name a module kind (东师理想 portlets
# such as ``photos``/``video``/``messageBoard``, 天喻 widgets such as ``BlogViewWidget``);
# whole words only, after splitting class/id/data names at separators and case changes.
MARKUP_KINDS: dict[str, tuple[str, ...]] = {
    "profile": ("profile", "userinfo", "personinfo", "aboutme", "selfinfo"),
    "articles": ("blog", "article", "articles", "diary"),
    "resources": ("resource", "resources"),
    "albums": ("album", "albums", "photo", "photos", "gallery"),
    "guestbook": ("guestbook", "messageboard"),
    "visitors": ("visitor", "visitors"),
    "friends": ("friend", "friends"),
    "notice": ("notice", "announcement", "bulletin"),
    "videos": ("video", "videos"),
}
# Markup that says a module is the teacher's own (自定义模块).
CUSTOM_MARKERS = ("custom", "diy", "zdy", "userdefine", "user-define", "user_define", "selfdef", "自定义", "usermodule")
# Data values that say a module is the platform's own.
BUILTIN_DECLARATIONS = ("system", "sys", "builtin", "built-in", "fixed", "default", "platform")

# Link labels that lead to the full listing of a collection.
LISTING_WORDS: dict[str, tuple[str, ...]] = {
    "resources": ("资源", "我的资源", "教学资源", "资源中心", "全部资源", "资源库", "课程资源"),
    "articles": ("文章", "日志", "博客", "博文", "我的文章", "全部文章", "教学随笔", "教育叙事"),
    "albums": ("相册", "我的相册", "照片", "全部相册", "图片"),
}
MORE_WORDS = ("更多", "more", "查看更多", "查看全部", "全部", "更多>>", "更多»", ">>", "»")
NEXT_WORDS = ("下一页", "下页", "后一页", "next", "›", "»", ">")
LOAD_MORE_WORDS = ("加载更多", "点击加载更多", "查看更多", "显示更多", "点击加载", "更多内容")

# The platform's own category labels, checked before file type and title keywords.
CATEGORY_LABELS: dict[str, tuple[str, ...]] = {
    "microlecture": ("微课", "微课程", "微视频"),
    "courseware": ("课件", "演示文稿", "ppt"),
    "lesson_plan": ("教案", "教学设计", "教学案", "学案", "导学案", "教学方案"),
    "lesson_video": ("教学视频", "课例", "完整课例", "课堂实录", "录像课", "视频课"),
    "exercise": ("试题", "练习", "作业", "任务单", "检测", "试卷", "习题", "学习任务单"),
    "audio": ("音频", "录音", "朗读"),
    "document": ("文本", "论文", "反思", "总结", "案例", "质量分析", "文档", "教学反思", "素材"),
    "image": ("图片", "图像", "照片"),
    "link": ("链接", "网址", "外链"),
    "other": ("其他", "其它"),
}
# File types: the contract category each stands for, and whether the type alone settles
# it (a .pptx is courseware whatever its title says; a .docx may be a lesson plan, an
# exercise or a reflection, so the title decides first). The one table for formats.
FORMATS: dict[str, tuple[str, bool]] = {
    "ppt": ("courseware", True),
    "pptx": ("courseware", True),
    "pps": ("courseware", True),
    "ppsx": ("courseware", True),
    "key": ("courseware", True),
    "swf": ("courseware", True),
    "mp3": ("audio", True),
    "wav": ("audio", True),
    "wma": ("audio", True),
    "m4a": ("audio", True),
    "aac": ("audio", True),
    "jpg": ("image", True),
    "jpeg": ("image", True),
    "png": ("image", True),
    "gif": ("image", True),
    "bmp": ("image", True),
    "doc": ("document", False),
    "docx": ("document", False),
    "pdf": ("document", False),
    "txt": ("document", False),
    "wps": ("document", False),
    "xls": ("document", False),
    "xlsx": ("document", False),
    "mp4": ("lesson_video", False),
    "flv": ("lesson_video", False),
    "f4v": ("lesson_video", False),
    "m3u8": ("lesson_video", False),
    "m4v": ("lesson_video", False),
    "avi": ("lesson_video", False),
    "wmv": ("lesson_video", False),
    "mov": ("lesson_video", False),
    "mkv": ("lesson_video", False),
    "webm": ("lesson_video", False),
    "zip": ("other", False),
    "rar": ("other", False),
}
FORMAT_CATEGORY: dict[str, str] = {ext: category for ext, (category, _) in FORMATS.items()}
DECISIVE_FORMATS = frozenset(ext for ext, (_, decisive) in FORMATS.items() if decisive)
VIDEO_EXTENSIONS = tuple(ext for ext, (category, _) in FORMATS.items() if category == "lesson_video")
# A file type named in text ("PPTX", ".docx", "格式：mp4"), longest names first.
FORMAT_TOKEN_RE = re.compile(
    r"(?<![a-z0-9])(" + "|".join(sorted(FORMATS, key=len, reverse=True)) + r")(?![a-z0-9])", re.IGNORECASE
)
# Title keywords, last resort; order matters (微课 before 视频).
TITLE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("microlecture", ("微课",)),
    ("lesson_plan", ("教案", "教学设计", "教学案", "导学案", "学案")),
    ("exercise", ("任务单", "练习", "试题", "作业", "检测", "试卷", "习题")),
    ("courseware", ("课件",)),
    ("lesson_video", ("课例", "课堂实录", "教学视频", "录像")),
    ("document", ("反思", "论文", "总结", "案例", "质量分析", "叙事")),
    ("audio", ("音频", "朗读")),
    ("image", ("图片",)),
)
OFFICIAL_SUFFIXES = (
    ".gov.cn",
    ".edu.cn",
    "smartedu.cn",
    "eduyun.cn",
    "zxx.edu.cn",
    "ncet.edu.cn",
    "moe.gov.cn",
    "1s1k.eduyun.cn",
)

DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(GB|MB|KB|G|M|K|B)(?![A-Za-z])", re.IGNORECASE)
_UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


BEIJING = timezone(timedelta(hours=8))
# When the pages being read were made, for dates a platform shows relative to that moment
# (3天前, 昨天 10:20, 刚刚; 05-12 with no year): the server's clock (its Date header) where
# it gives one, else the crawl's, in Beijing time. The visit sets it for one space's pages.
READ_AT: ContextVar[datetime | None] = ContextVar("spacebot_read_at", default=None)
_TIME = r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
RELATIVE_DATE_RE = re.compile(rf"(刚刚)|(\d{{1,3}})\s*(秒|分钟|小时|天|周)前|(今天|昨天|前天){_TIME}")
# This year's dates with no year (05-12, 5月12日): the zero-padded or 月日 forms only, so
# that 3-4年级 or 1/2 is none of them.
_YEARLESS_RE = re.compile(rf"(?:(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])|(\d{{1,2}})月(\d{{1,2}})日){_TIME}")
# What may stand before a date that is a line of its own: 发布于, 更新时间：, 时间：…
_DATE_LABEL = re.compile(r"^(?:(?:发布|发表|更新|上传|创建)(?:于|时间|日期)?|时间|日期)?\s*[:：]?\s*")
_AGO = {"秒": timedelta(seconds=1), "分钟": timedelta(minutes=1), "小时": timedelta(hours=1), "天": timedelta(days=1)}
_AGO["周"] = timedelta(days=7)
_DAYS_BACK = {"今天": 0, "昨天": 1, "前天": 2}


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    match = DATE_RE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def relative_date(text: str) -> str | None:
    """A date shown against when the page was made (3天前, 昨天 10:20, 刚刚) that is the
    whole of ``text`` (after a 发布于 / 时间： label), counted from ``READ_AT``; else None.
    今天 in a sentence (今天我们学习了…) is no date."""
    now = READ_AT.get()
    match = RELATIVE_DATE_RE.fullmatch(_DATE_LABEL.sub("", text.strip(), count=1)) if now is not None else None
    if now is None or match is None:
        return None
    just_now, number, unit, named = match.groups()
    if named:
        return (now.date() - timedelta(days=_DAYS_BACK[named])).isoformat()
    if just_now:
        return now.date().isoformat()
    return (now - int(number) * _AGO[unit]).date().isoformat()


def yearless_date(text: str) -> str | None:
    """A month and day shown with no year (05-12: this year's items on many platforms) that
    is the whole of ``text`` (after a label): the last such day not after ``READ_AT`` (a
    day's grace for a clock behind); else None. 本课适合10-12岁 is no date."""
    now = READ_AT.get()
    shown = _YEARLESS_RE.fullmatch(_DATE_LABEL.sub("", text.strip(), count=1)) if now is not None else None
    if now is None or shown is None:
        return None
    month, day = (int(g) for g in shown.groups() if g)
    for year in (now.year, now.year - 1):
        try:
            day_shown = date(year, month, day)
        except ValueError:  # 02-30, or 02-29 in a common year
            continue
        if day_shown <= now.date() + timedelta(days=1):
            return day_shown.isoformat()
    return None


def parse_size(text: str) -> int | None:
    """A displayed file size such as ``2.5 MB`` in bytes (binary units, as platforms use)."""
    match = _SIZE_RE.search(text)
    if not match:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def category_from_label(label: str) -> str | None:
    """The contract category named by a platform's own label, if the label names one."""
    text = label.strip().lower()
    if not text:
        return None
    for category, words in CATEGORY_LABELS.items():
        if text in words:
            return category
    for category, words in CATEGORY_LABELS.items():
        if any(len(w) >= 2 and w in text for w in words) and len(text) <= 8:
            return category
    return None
