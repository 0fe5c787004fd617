"""The farm's spaces: ground truth for every imitation platform.

Fourteen spaces across the four servers cover a complete space, sparse ones, walls
(login, friends, private, missing), lists longer than three pages, originals and
reposts, custom modules, albums, micro-course pages with real MP4 files, outbound links
to official and non-official domains, and a GBK-encoded platform.
"""

from __future__ import annotations

from dataclasses import replace

from .spec import AlbumSpec, ArticleSpec, ModuleSpec, ResourceSpec, SpaceSpec

MB = 1024 * 1024
# Crawled text is untrusted: this title must reach reports as text, never as markup.
HOSTILE_TITLE = '<img src=x onerror=alert(1)>《美术》"javascript:alert(2)</td><script>alert(3)</script>'
SUBJECT_TOPICS = (
    "分数的初步认识",
    "圆的面积",
    "古诗两首",
    "春晓",
    "光的折射",
    "植物的生长",
    "认识时间",
    "长方形的周长",
    "乘法口诀",
    "小数加减法",
    "比例的意义",
    "观察物体",
)


def _resources(
    prefix: str,
    plan: list[tuple[str, str | None, str, int]],
    *,
    originals: int,
    start_month: int = 3,
    videos: tuple[str, ...] = (),
    restricted: tuple[int, ...] = (),
    claims: dict[int, str] | None = None,
) -> tuple[ResourceSpec, ...]:
    """Build resources from (category, label, format, count) rows; the first ``originals`` are 原创."""
    out: list[ResourceSpec] = []
    video_iter = iter(videos)
    n = 0
    for category, label, fmt, count in plan:
        for _ in range(count):
            topic = SUBJECT_TOPICS[n % len(SUBJECT_TOPICS)]
            kind_word = {
                "microlecture": "微课",
                "courseware": "课件",
                "lesson_plan": "教学设计",
                "exercise": "学习任务单",
                "lesson_video": "课堂实录",
                "document": "教学反思",
                "audio": "课文朗读",
                "image": "板书设计",
            }[category]
            # Unlabelled items must be decidable from format or title keywords.
            title = f"《{topic}》{kind_word}（{n + 1}）"
            video = next(video_iter, None) if fmt == "mp4" else None
            out.append(
                ResourceSpec(
                    rid=f"{prefix}{n + 1:03d}",
                    title=title,
                    category=category,
                    label=label,
                    original=n < originals,
                    published=f"2022-{(start_month + n // 9) % 12 + 1:02d}-{n % 27 + 1:02d}",
                    fmt=fmt,
                    size_bytes=int((n % 5 + 1) * 1.5 * MB) if fmt != "link" else None,
                    video=video,
                    video_style="player" if n % 2 else "tag",
                )
            )
            n += 1
    # Items the owner restricted to friends still show in the listing, with a lock label.
    out = [replace(r, page_resolution=(claims or {}).get(i)) for i, r in enumerate(out)]
    return tuple(replace(r, visibility="friends_only") if i in restricted else r for i, r in enumerate(out))


def _articles(
    prefix: str,
    count: int,
    *,
    originals: int,
    reposts: int,
    year: int = 2022,
    categories: tuple[str | None, ...] = ("教学反思", "教育叙事", None),
) -> tuple[ArticleSpec, ...]:
    out = []
    for i in range(count):
        original: bool | None = True if i < originals else (False if i < originals + reposts else None)
        out.append(
            ArticleSpec(
                aid=f"{prefix}{i + 1:03d}",
                title=f"{['教学反思', '教育叙事', '读书笔记', '课堂观察'][i % 4]}：{SUBJECT_TOPICS[i % len(SUBJECT_TOPICS)]}（第{i + 1}篇）",
                original=original,
                published=f"{year}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                category=categories[i % len(categories)],
            )
        )
    return tuple(out)


OFFICIAL = (("https://www.zxx.edu.cn/", "国家中小学智慧教育平台"), ("http://jyj.quanzhou.gov.cn/", "泉州市教育局"))
UNOFFICIAL = (
    ("https://www.xuekewang-example.com/res/123", "学科网资源"),
    ("http://pan.baidu-example.com/s/abc", "网盘下载"),
)

TIANYU_SPACES = (
    SpaceSpec(
        sid="10001",
        platform="tianyu",
        name="林晓梅",
        school="鲤城区实验小学",
        subject="数学",
        classes=("三年级（2）班", "四年级（1）班"),
        contact="linxm@example.edu.cn",
        avatar=True,
        header_image=True,
        background=True,
        group="小学",
        notes="complete space: every module, 4 pages of articles, micro-courses with MP4",
        modules=(
            ModuleSpec("个人资料", "builtin", "profile"),
            ModuleSpec("教学随笔", "builtin", "articles", items=35, more="articles"),
            ModuleSpec("资源", "builtin", "resources", items=16, more="resources"),
            ModuleSpec("相册", "builtin", "albums", items=4, more="albums"),
            ModuleSpec("留言板", "builtin", "guestbook"),
            ModuleSpec("最近访客", "builtin", "visitors"),
            ModuleSpec(
                "活动广场", "custom", "custom", links=(("https://www.zxx.edu.cn/activity/2022", "“我的微课”征集活动"),)
            ),
            ModuleSpec(
                "名师工作室",
                "custom",
                "custom",
                html="<p>林晓梅小学数学名师工作室，每周三教研。</p>",
                links=(("https://www.xuekewang-example.com/res/123", "学科网资源"),),
            ),
            ModuleSpec("获奖证书", "custom", "custom", html="<p>2021年市级优质课一等奖</p>"),
        ),
        resources=_resources(
            "r1",
            [
                ("microlecture", "微课", "mp4", 6),
                ("courseware", "课件", "pptx", 4),
                ("lesson_plan", "教学设计", "docx", 3),
                ("exercise", None, "docx", 2),
                ("lesson_video", "课例", "mp4", 1),
            ],
            originals=13,
            videos=("hd25.mp4", "hd25b.mp4", "hd25.mp4", "ratio43.mp4", "fps30.mp4", "hd25b.mp4", "late.mp4"),
            claims={3: "1920×1080"},  # the 4:3 video's page claims full HD
        ),
        articles=_articles("a1", 35, originals=20, reposts=15),
        albums=(
            AlbumSpec("al1", "课堂剪影", 12),
            AlbumSpec("al2", "教研活动", 8),
            AlbumSpec("al3", "学生作品", 20),
            AlbumSpec("al4", "校园生活", 5),
        ),
    ),
    SpaceSpec(
        sid="NID555912",
        platform="tianyu",
        name="陈建国",
        school="鲤城区第二中学",
        subject=None,
        notes="sparse: builtin modules only, one article, no resources",
        modules=(
            ModuleSpec("个人资料", "builtin", "profile"),
            ModuleSpec("文章", "builtin", "articles", items=1, more="articles"),
            ModuleSpec("资源", "builtin", "resources", items=0, more="resources"),
        ),
        articles=_articles("a2", 1, originals=0, reposts=1),
    ),
    SpaceSpec(
        sid="0f3c2a9b8e7d6c5b4a39281706f5e4d3",
        platform="tianyu",
        name="王芳",
        wall="login_required",
        notes="the platform redirects anonymous visitors to its login page",
    ),
    SpaceSpec(sid="10004", platform="tianyu", name="赵敏", wall="friends_only", notes="the owner set 仅好友可见"),
    SpaceSpec(sid="99999", platform="tianyu", name="", wall="not_found", notes="no such space"),
)

GBK_SPACES = (
    SpaceSpec(
        sid="20001",
        platform="tianyu",
        name="黄志强",
        school="石首市南岳山小学",
        subject="语文",
        classes=("五年级（3）班",),
        avatar=True,
        group="小学",
        notes="GBK platform: reposts, a friends-only resource, 2 pages of resources",
        modules=(
            ModuleSpec("个人资料", "builtin", "profile"),
            ModuleSpec("文章", "builtin", "articles", items=6, more="articles"),
            ModuleSpec("资源", "builtin", "resources", items=14, more="resources"),
            ModuleSpec("相册", "builtin", "albums", items=1, more="albums"),
            ModuleSpec("书香校园", "custom", "custom", html="<p>推荐书目：《草房子》《城南旧事》</p>"),
        ),
        resources=_resources(
            "g",
            [
                ("courseware", "课件", "ppt", 5),
                ("lesson_plan", "教案", "doc", 4),
                ("document", None, "pdf", 3),
                ("audio", "音频", "mp3", 2),
            ],
            originals=4,
            restricted=(6,),
        ),
        articles=_articles("ga", 6, originals=2, reposts=3),
        albums=(AlbumSpec("gal1", "读书节", 9),),
    ),
)

SPA_SPACES = (
    SpaceSpec(
        sid="u1001",
        platform="spa",
        name="刘洋",
        school="新洲区思源实验学校",
        subject="英语",
        classes=("七年级（5）班",),
        contact="027-88886666",
        avatar=True,
        header_image=True,
        group="初中",
        notes="SPA: lists grow with 加载更多, videos only in the detail API",
        modules=(
            ModuleSpec("个人信息", "builtin", "profile"),
            ModuleSpec("资源", "builtin", "resources", items=23, more="resources"),
            ModuleSpec("文章", "builtin", "articles", items=12, more="articles"),
            ModuleSpec("相册", "builtin", "albums", items=3, more="albums"),
            ModuleSpec(
                "英语角", "custom", "custom", html="<p>每日一句：Practice makes perfect.</p>", links=UNOFFICIAL[1:]
            ),
            ModuleSpec("学习网站", "custom", "custom", links=OFFICIAL),
        ),
        resources=_resources(
            "s",
            [
                ("microlecture", "微课", "mp4", 5),
                ("courseware", "课件", "pptx", 8),
                ("lesson_plan", "教学设计", "docx", 4),
                ("exercise", "练习", "docx", 4),
                ("lesson_video", "教学视频", "mp4", 2),
            ],
            originals=18,
            videos=("hd25.mp4", "hd25b.mp4", "ratio43.mp4", "fps30.mp4", "late.mp4", "hd25.mp4", "hd25b.mp4"),
        ),
        articles=_articles("sa", 12, originals=7, reposts=5),
        albums=(AlbumSpec("sal1", "英语节", 10), AlbumSpec("sal2", "外教课堂", 6), AlbumSpec("sal3", "研学旅行", 4)),
    ),
    SpaceSpec(
        sid="u1002",
        platform="spa",
        name="周婷",
        school="新洲区邾城街第一小学",
        notes="SPA sparse: profile only",
        modules=(
            ModuleSpec("个人信息", "builtin", "profile"),
            ModuleSpec("资源", "builtin", "resources", items=0, more="resources"),
        ),
    ),
    SpaceSpec(
        sid="u1003",
        platform="spa",
        name="吴刚",
        wall="login_required",
        notes="SPA: the API answers 401 and the app shows a login wall",
    ),
)

DRAGDROP_SPACES = (
    SpaceSpec(
        sid="zhanglei",
        platform="dragdrop",
        name="张磊",
        school="金牛区实验中学",
        subject="物理",
        classes=("八年级（1）班", "八年级（2）班"),
        avatar=True,
        background=True,
        group="初中",
        notes="drag-and-drop widgets on one page; 更多 lists with 下一页; 4+ pages of resources",
        modules=(
            ModuleSpec("我的名片", "builtin", "profile"),
            ModuleSpec("精品资源", "builtin", "resources", more="resources"),
            ModuleSpec("班级相册", "builtin", "albums", more="albums"),
            ModuleSpec("物理实验视频", "custom", "custom", html="<p>家庭小实验合集</p>"),
            ModuleSpec("常用导航", "custom", "custom", links=OFFICIAL[:1] + UNOFFICIAL[:1]),
            ModuleSpec("教学日志", "builtin", "articles", more="articles"),
            ModuleSpec("留言本", "builtin", "guestbook"),
        ),
        resources=_resources(
            "d",
            [
                ("courseware", "课件", "pptx", 14),
                ("lesson_plan", "学案", "docx", 10),
                ("exercise", "试题", "pdf", 8),
                ("microlecture", "微课", "mp4", 3),
                ("image", None, "jpg", 2),
            ],
            originals=20,
            videos=("hd25.mp4", "ratio43.mp4", "hd25b.mp4"),
        ),
        articles=_articles("da", 9, originals=9, reposts=0, year=2021),
        albums=(AlbumSpec("dal1", "实验课", 15), AlbumSpec("dal2", "科技节", 7)),
    ),
    SpaceSpec(sid="lisi", platform="dragdrop", name="李思", wall="private", notes="仅自己可见"),
    SpaceSpec(
        sid="sunli",
        platform="dragdrop",
        name="孙丽",
        school="金牛区第三小学",
        subject="美术",
        group="小学",
        notes="mostly reposts; unlabelled resources decided by file type and title",
        modules=(
            ModuleSpec("我的名片", "builtin", "profile"),
            ModuleSpec("资源", "builtin", "resources", more="resources"),
            ModuleSpec("日志", "builtin", "articles", more="articles"),
            ModuleSpec("优秀作品展", "custom", "custom", html="<p>学生美术作品</p>"),
        ),
        resources=_resources(
            "sl",
            [("courseware", None, "pptx", 3), ("image", None, "png", 2), ("lesson_plan", None, "docx", 2)],
            originals=1,
        ),
        articles=_articles("sla", 17, originals=2, reposts=15)
        + (ArticleSpec("slax", HOSTILE_TITLE, False, "2022-06-30"),),
    ),
)
