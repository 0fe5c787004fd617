"""video_spec: each micro-course video meets the technical spec of seed 001.

Why: seed 001 (原创精品微课): "视频画面的比例为16∶9，大小不超过1G，编码格式H.264/25帧，分辨率
1920*1080P", durations 幼儿园 5–10 / 小学 10–15 / 中学 15–20 minutes (rubric ``durations``).
One finding per video that misses any property, naming each; videos that could not be
read are ``review``. The 5-second title card is not measured yet and is not claimed.
Fails for example: a 4:3 640×480 video, or a 30 fps one.
"""

from __future__ import annotations

from crawler import SpaceSnapshot

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_video_spec"]

_GROUP_DURATION_KEY = {"初中": "中学", "高中": "中学"}


def check_video_spec(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    p = item.params
    videos = [v for v in snapshot.videos if v.probe is not None]
    if not snapshot.videos:
        return [finding(item, ctx, "pass", "空间上没有找到视频文件，无需检查视频规格。", "0 个视频")]
    out: list[Finding] = []
    key = _GROUP_DURATION_KEY.get(ctx.group or "", ctx.group or "")
    minutes = ctx.rubric.durations.get(key)
    good = 0
    for video in videos:
        probe = video.probe
        assert probe is not None
        name = video.title or video.url.rsplit("/", 1)[-1]
        if probe.status != "ok":
            out.append(
                finding(
                    item,
                    ctx,
                    "review",
                    f"视频《{name}》无法读取（{probe.status}），请人工查看。",
                    probe.status,
                    [video.url, video.page_url],
                )
            )
            continue
        problems = []
        if p.get("aspect") and probe.display_aspect != p["aspect"]:
            problems.append(f"画面比例 {probe.display_aspect}（要求 {p['aspect']}）")
        if p.get("width") and (probe.width, probe.height) != (p["width"], p["height"]):
            problems.append(f"分辨率 {probe.width}×{probe.height}（要求 {p['width']}×{p['height']}）")
        if p.get("codec") and probe.codec != p["codec"]:
            problems.append(f"编码 {probe.codec}（要求 H.264）")
        if p.get("fps") and probe.fps is not None and abs(probe.fps - float(p["fps"])) > 0.01:
            problems.append(f"帧率 {probe.fps:g}（要求 {p['fps']} 帧）")
        if p.get("max_bytes") and probe.size_bytes and probe.size_bytes > int(p["max_bytes"]):
            problems.append(f"大小 {probe.size_bytes / 1024**3:.2f} GB（要求不超过 1 GB）")
        if minutes and probe.duration_s is not None:
            low, high = minutes
            if not low * 60 <= probe.duration_s <= high * 60:
                problems.append(f"时长 {probe.duration_s / 60:.1f} 分钟（{ctx.group}要求 {low:g}–{high:g} 分钟）")
        if problems:
            out.append(
                finding(
                    item,
                    ctx,
                    item.severity,
                    f"视频《{name}》不符合规格：" + "；".join(problems) + "。",
                    "；".join(problems),
                    [video.url, video.page_url],
                )
            )
        else:
            good += 1
    if good and not out:
        out.append(
            finding(item, ctx, "pass", f"{good} 个视频符合规格要求（片头时长尚未自动检测）。", f"{good} 个视频合格")
        )
    return out
