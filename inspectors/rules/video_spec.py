"""video_spec: each micro-course video meets the technical spec of seed 001.

Why: seed 001 (原创精品微课): "视频画面的比例为16∶9，大小不超过1G，编码格式H.264/25帧，分辨率
1920*1080P", durations 幼儿园 5–10 / 小学 10–15 / 中学 15–20 minutes (rubric ``durations``).
The title card (片头) must last at most ``max_title_card_s`` ("片头，时长不超过5秒").
Where the page states 时长/分辨率/大小 beside the video and the file disagrees, a warning
says both. One finding per video that misses any property, naming each; videos that could not be
read are ``review`` with the reason; a file whose ``moov`` box sits at the end gets a
warning, since students on mobile wait for the whole index before playback starts.
Fails for example: a 4:3 640×480 video, a 30 fps one, or one with an 8-second card.
"""

from __future__ import annotations

from crawler import SpaceSnapshot, Video

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_video_spec"]

_GROUP_DURATION_KEY = {"初中": "中学", "高中": "中学"}


def _declared_mismatches(video: Video) -> list[str]:
    """Where the page's 时长/分辨率/大小 disagree with what the file is."""
    declared, probe = video.declared, video.probe
    if declared is None or probe is None or probe.status != "ok":
        return []
    out = []
    if declared.width and probe.width and (declared.width, declared.height) != (probe.width, probe.height):
        out.append(f"分辨率标注为 {declared.width}×{declared.height}，文件实际为 {probe.width}×{probe.height}")
    if declared.duration_s and probe.duration_s:
        if abs(declared.duration_s - probe.duration_s) > max(5.0, 0.05 * probe.duration_s):
            out.append(f"时长标注为 {declared.duration_s:g} 秒，文件实际为 {probe.duration_s:g} 秒")
    if declared.size_bytes and probe.size_bytes:
        if abs(declared.size_bytes - probe.size_bytes) > 0.05 * probe.size_bytes:
            out.append(
                f"大小标注为 {declared.size_bytes / 1024**2:.1f} MB，文件实际为 {probe.size_bytes / 1024**2:.1f} MB"
            )
    return out


def check_video_spec(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    p = item.params
    videos = [v for v in snapshot.videos if v.probe is not None]
    if not snapshot.videos:
        micro = [r for r in snapshot.resources if r.category == "microlecture"]
        if not micro:
            return []  # no micro-course to check: the count part of the item speaks for it
        return [
            finding(
                item,
                ctx,
                "review",
                f"有 {len(micro)} 个微课资源，但在其页面上找不到视频文件（可能需登录播放或"
                "使用了无法识别的播放器），请人工查看视频规格。",
                "0 个视频",
                [r.url for r in micro][:20],
            )
        ]
    out: list[Finding] = []
    key = _GROUP_DURATION_KEY.get(ctx.group or "", ctx.group or "")
    minutes = ctx.rubric.durations.get(key)
    good = 0
    for video in videos:
        probe = video.probe
        assert probe is not None
        name = video.title or video.url.rsplit("/", 1)[-1]
        if probe.status != "ok":
            known = {"unreachable": "无法访问", "not_video": "不是视频文件"}
            reason = probe.detail or known.get(probe.status, "读取出错")
            message = f"视频《{name}》无法检查：{reason}。请人工查看。"
            out.append(finding(item, ctx, "review", message, probe.status, [video.url, video.page_url]))
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
        card_limit = p.get("max_title_card_s")
        if card_limit is not None and probe.title_card_s is not None and probe.title_card_s > float(card_limit):
            problems.append(f"片头 {probe.title_card_s:g} 秒（要求不超过 {card_limit} 秒）")
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
        mismatches = _declared_mismatches(video)
        if mismatches:
            message = f"视频《{name}》页面标注的信息与视频文件不符：" + "；".join(mismatches) + "。评审时请以文件为准。"
            out.append(
                finding(
                    item,
                    ctx,
                    "warn",
                    message,
                    "；".join(mismatches),
                    [video.page_url, video.url],
                    required="页面标注与文件一致",
                )
            )
        if probe.faststart is False:
            message = (
                f"视频《{name}》的索引（moov）在文件末尾，学生用手机观看时要等较久才能开始播放；"
                "建议用“快速启动”（faststart）方式重新导出。"
            )
            out.append(
                finding(item, ctx, "warn", message, "moov 在文件末尾", [video.url], required="moov 位于文件开头")
            )
    if good and not any(f.severity in ("fail", "review") for f in out):
        out.append(finding(item, ctx, "pass", f"{good} 个视频符合规格要求。", f"{good} 个视频合格"))
    return out
