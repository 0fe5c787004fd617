"""The Chinese words platforms use for modules, listings, categories and walls.

The generic extractor works from these labels, not from any one platform's markup, so
that it keeps working on a platform it has never seen. Keep the lists data-like.
"""

from __future__ import annotations

import re

__all__ = [
    "BUILTIN_MODULE_WORDS",
    "CATEGORY_LABELS",
    "CUSTOM_MARKERS",
    "DATE_RE",
    "FORMAT_CATEGORY",
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
    "stats": ("空间统计", "访问统计", "统计信息"),
    "classes": ("我的班级", "任教班级", "班级空间"),
    "groups": ("我的群组", "群组", "工作室", "名师工作室"),
}

# Words in class/id/data-* attributes that mark a module kind in markup.
MARKUP_KINDS: dict[str, tuple[str, ...]] = {
    "profile": ("profile", "userinfo", "user-info", "personinfo", "person-info", "aboutme", "card"),
    "articles": ("blog", "article", "diary", "log"),
    "resources": ("resource", "res", "file", "doc"),
    "albums": ("album", "photo", "gallery", "picture"),
    "guestbook": ("guestbook", "message", "comment", "liuyan"),
    "visitors": ("visitor", "recentvisit"),
    "friends": ("friend", "follow", "fans"),
    "notice": ("notice", "announce", "bulletin"),
    "stats": ("stat", "count"),
    "classes": ("class",),
    "groups": ("group", "studio"),
}
CUSTOM_MARKERS = ("custom", "diy", "userdefine", "user-define", "user_define", "selfdef", "自定义", "usermodule")

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
FORMAT_CATEGORY: dict[str, str] = {
    "ppt": "courseware",
    "pptx": "courseware",
    "pps": "courseware",
    "ppsx": "courseware",
    "key": "courseware",
    "swf": "courseware",
    "mp3": "audio",
    "wav": "audio",
    "wma": "audio",
    "m4a": "audio",
    "aac": "audio",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "gif": "image",
    "bmp": "image",
    "doc": "document",
    "docx": "document",
    "pdf": "document",
    "txt": "document",
    "wps": "document",
    "xls": "document",
    "xlsx": "document",
    "mp4": "lesson_video",
    "flv": "lesson_video",
    "m3u8": "lesson_video",
    "avi": "lesson_video",
    "wmv": "lesson_video",
    "mov": "lesson_video",
    "mkv": "lesson_video",
    "webm": "lesson_video",
}
# Title keywords, last resort; order matters (微课 before 视频).
TITLE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("microlecture", ("微课",)),
    ("lesson_plan", ("教案", "教学设计", "教学案", "导学案", "学案")),
    ("exercise", ("任务单", "练习", "试题", "作业", "检测", "试卷", "习题")),
    ("courseware", ("课件",)),
    ("lesson_video", ("课例", "课堂实录", "教学视频", "录像")),
    ("document", ("反思", "论文", "总结", "案例", "质量分析", "叙事")),
    ("audio", ("音频", "朗读")),
)
VIDEO_EXTENSIONS = ("mp4", "m3u8", "flv", "webm", "mov", "m4v")
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
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(GB|MB|KB|G|M|K|B)\b", re.IGNORECASE)
_UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``, or None."""
    match = DATE_RE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


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
