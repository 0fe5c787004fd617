"""A synthetic snapshot that meets every automatic item of the three built-in rubrics,
for rule tests that change one thing at a time."""

from __future__ import annotations

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

CRAWL = CrawlInfo(
    "http://s/1", "generic", "ok", None, 3, "http", "2022-06-01T10:00:00+08:00", "2022-06-01T10:00:05+08:00"
)
PROBE = VideoProbe(
    "ok",
    "h264",
    1920,
    1080,
    "16:9",
    25.0,
    720.0,
    300_000_000,
    True,
    4.0,
    2_000_000,
    title_card_text="人教版 数学 三年级上册\n《分数的初步认识》\n主讲教师：林晓梅",
    title_card_fields={
        "教材版本": "人教版",
        "学科": "数学",
        "年级": "三年级",
        "课名": "分数的初步认识",
        "主讲教师": "林晓梅",
    },
    title_card_confidence=0.97,
    audio={"present": True, "loudness_lufs": -21.5, "snr_db": 31.0},
    picture={"luma_mean": 131.0, "luma_uniformity": 0.82},
)
MONTHS = ("2022-03-15", "2022-04-12", "2022-05-10")


def _res(n: int, category: str, original: bool | None = True) -> Resource:
    return Resource(
        f"{category}{n}", f"http://s/{category}/{n}", category, original, MONTHS[n % 3], "everyone", "pptx", None
    )


def good() -> SpaceSnapshot:
    """A space that meets every automatic item of the three rubrics (in 2022)."""
    modules = (
        Module("个人资料", "builtin"),
        Module("文章", "builtin", "http://s/articles"),
        Module("资源", "builtin", "http://s/resources"),
        Module("相册", "builtin"),
        Module("留言板", "builtin"),
        Module("活动广场", "custom"),
        Module("特色应用案例", "custom"),
        Module("微课视频", "custom"),
        Module("互动交流", "custom"),
        Module("获奖证书", "custom"),
    )
    resources = (
        tuple(_res(i, "microlecture") for i in range(6))
        + tuple(_res(i, "courseware") for i in range(6))
        + tuple(_res(i, "lesson_plan") for i in range(4))
        + tuple(_res(i, "lesson_video") for i in range(2))
        + tuple(_res(i, "exercise") for i in range(3))
    )
    articles = tuple(
        Article(f"{['教学反思', '教育叙事', '课堂观察'][i % 3]}{i}", f"http://s/a/{i}", i < 8, MONTHS[i % 3], None)
        for i in range(12)
    )
    return SpaceSnapshot(
        target=Target("http://s/1"),
        crawl=CRAWL,
        visibility=Visibility("everyone", "可见"),
        profile=Profile(
            "张三", "http://s/a.jpg", "一小", "数学", ("三(1)班",), "a@b.cn", "http://s/h.jpg", "http://s/b.jpg"
        ),
        modules=modules,
        resources=resources,
        articles=articles,
        albums=tuple(Album(f"相册{i}", f"http://s/al/{i}", 5) for i in range(3)),
        videos=(Video("http://s/v.mp4", "http://s/microlecture/0", "微课", PROBE),),
        outbound_links=(
            OutboundLink("https://www.zxx.edu.cn/activity", "活动广场入口", "www.zxx.edu.cn", True, "http://s/1"),
        ),
    )
