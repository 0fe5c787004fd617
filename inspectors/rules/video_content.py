"""video_content: what each micro-course shows and sounds like, beyond its container.

Why: seed 001 (原创精品微课) asks for "片头……显示教材版本、学科、年级、课名、主讲教师",
a quiet recording room ("录制环境安静无噪音"), a clear, loud voice ("声音响亮") and even,
sufficient light ("光照充足均匀"). The probe reads the title card's text and measures
sound and light on sampled stretches; this rule turns that into findings, with the
thresholds from the rubric:

- ``card_fields``: the items the card must show; a video whose card lacks any is named
  with what is missing (the item's severity). When the OCR's confidence is below
  ``min_ocr_confidence``, or no static card was found, it is ``review`` with the text read.
- no audio track, or one silent throughout: the item's severity (a spoken lesson);
  ``min_loudness_lufs`` (too quiet) and ``min_snr_db`` (noisy): warnings.
- ``min_luma`` (dark picture) and ``min_luma_uniformity`` (strongly uneven light): warnings.

Fails for example: a card that shows only 《认识时间》 and 主讲：王强 (no 教材版本、学科、年级),
or a video without an audio track; warns for example at −38 LUFS or a picture of luma 28.
Every finding's evidence starts with the video's URL. A card without readable text is
``review``. A video read but with nothing of this measured (an HLS stream, whose segments
are not sampled) is ``review``; a single part not measured gives no finding, and a file
that could not be read at all is the video-spec rule's to report.
"""

from __future__ import annotations

from typing import Any

from crawler import SpaceSnapshot, Video

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_video_content"]

_SILENT_LUFS = -70.0  # the probe's figure for a track that is silent throughout
_REQUIRED = "片头信息完整，声音清晰响亮，光照充足均匀"


def _name(video: Video) -> str:
    return video.title or video.url.rsplit("/", 1)[-1]


def _card_findings(item: RubricItem, ctx: InspectContext, video: Video, p: dict[str, Any]) -> list[Finding]:
    probe = video.probe
    assert probe is not None
    wanted = [str(f) for f in p.get("card_fields", [])]
    if not wanted or probe.title_card_s is None:
        return []
    evidence = [video.url, video.page_url]
    name = _name(video)
    required = "片头显示" + "、".join(wanted)
    if probe.title_card_s == 0:
        message = f"视频《{name}》开头没有静止的片头（可能没有片头，或片头是动画），无法识别片头文字，请人工查看。"
        return [finding(item, ctx, "review", message, "未检测到静止片头", evidence, required=required)]
    if probe.title_card_text is None:
        return []  # the card's text was not read (see the probe's reason)
    if not probe.title_card_text.strip():
        message = f"视频《{name}》的片头上没有识别到文字（可能没有文字，或字体、画面难以识别），请人工查看片头。"
        return [finding(item, ctx, "review", message, "片头无可识别的文字", evidence, required=required)]
    fields = probe.title_card_fields or {}
    missing = [f for f in wanted if not fields.get(f)]
    read = probe.title_card_text.replace("\n", " ") or "（没有文字）"
    confidence = probe.title_card_confidence
    if missing and confidence is not None and confidence < float(p.get("min_ocr_confidence", 0.0)):
        message = (
            f"视频《{name}》的片头文字识别把握不大（置信度 {confidence:.0%}），识别为“{read}”，"
            f"其中未找到：{'、'.join(missing)}。请人工查看片头。"
        )
        return [finding(item, ctx, "review", message, f"识别置信度 {confidence:.0%}", evidence, required=required)]
    if missing:
        message = f"视频《{name}》的片头缺少：{'、'.join(missing)}（片头文字识别为“{read}”）。"
        return [finding(item, ctx, item.severity, message, "缺少" + "、".join(missing), evidence, required=required)]
    return []


def _sound_findings(item: RubricItem, ctx: InspectContext, video: Video, p: dict[str, Any]) -> list[Finding]:
    audio = video.probe.audio if video.probe else None
    if audio is None:
        return []
    name, evidence = _name(video), [video.url, video.page_url]
    if not audio.get("present"):
        message = f"视频《{name}》没有声音（文件中没有音轨），微课应有讲解。"
        return [finding(item, ctx, item.severity, message, "没有音轨", evidence, required="有清晰响亮的讲解声音")]
    if audio.get("loudness_lufs") is not None and audio["loudness_lufs"] <= _SILENT_LUFS:
        message = f"视频《{name}》的音轨在抽查的各段都是静音（响度低于 {_SILENT_LUFS:g} LUFS），微课应有讲解。"
        return [finding(item, ctx, item.severity, message, "音轨静音", evidence, required="有清晰响亮的讲解声音")]
    out = []
    quiet, lufs = p.get("min_loudness_lufs"), audio.get("loudness_lufs")
    if quiet is not None and lufs is not None and lufs < float(quiet):
        message = f"视频《{name}》声音偏小：响度 {lufs:g} LUFS（建议不低于 {quiet} LUFS），学生可能听不清。"
        out.append(finding(item, ctx, "warn", message, f"{lufs:g} LUFS", evidence, required=f"响度不低于 {quiet} LUFS"))
    noisy, snr = p.get("min_snr_db"), audio.get("snr_db")
    if noisy is not None and snr is not None and snr < float(noisy):
        message = f"视频《{name}》背景噪音较大：说话声只比停顿时的背景声高 {snr:g} dB（建议不低于 {noisy} dB）。"
        out.append(
            finding(item, ctx, "warn", message, f"信噪比 {snr:g} dB", evidence, required=f"信噪比不低于 {noisy} dB")
        )
    return out


def _light_findings(item: RubricItem, ctx: InspectContext, video: Video, p: dict[str, Any]) -> list[Finding]:
    picture = video.probe.picture if video.probe else None
    if picture is None:
        return []
    name, evidence = _name(video), [video.url, video.page_url]
    out = []
    dark, luma = p.get("min_luma"), picture.get("luma_mean")
    if dark is not None and luma is not None and luma < float(dark):
        message = f"视频《{name}》画面偏暗：平均亮度 {luma:g}（0–255，建议不低于 {dark}），请检查录制时的光照。"
        out.append(
            finding(item, ctx, "warn", message, f"平均亮度 {luma:g}", evidence, required=f"平均亮度不低于 {dark}")
        )
    uneven, uniformity = p.get("min_luma_uniformity"), picture.get("luma_uniformity")
    if uneven is not None and uniformity is not None and uniformity < float(uneven):
        message = (
            f"视频《{name}》画面光照不均匀：均匀度 {uniformity:g}（建议不低于 {uneven}），可能一部分过亮、一部分过暗。"
        )
        measured = f"均匀度 {uniformity:g}"
        out.append(finding(item, ctx, "warn", message, measured, evidence, required=f"光照均匀度不低于 {uneven}"))
    return out


def _unmeasured(item: RubricItem, ctx: InspectContext, video: Video) -> Finding:
    probe = video.probe
    assert probe is not None
    why = probe.detail or ("HLS 视频流只读取了播放列表" if video.url.lower().split("?")[0].endswith(".m3u8") else "")
    message = f"视频《{_name(video)}》的片头文字、声音和光线没有测量{'（' + why + '）' if why else ''}，请人工查看。"
    return finding(item, ctx, "review", message, "未测量", [video.url, video.page_url], required=_REQUIRED)


def check_video_content(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    out: list[Finding] = []
    good: list[str] = []
    for video in snapshot.videos:
        probe = video.probe
        if probe is None or probe.status != "ok":
            continue  # the video-spec rule reports videos that could not be read
        if (
            probe.title_card_text is None
            and probe.title_card_s is None
            and probe.audio is None
            and probe.picture is None
        ):
            out.append(_unmeasured(item, ctx, video))
            continue
        found = [
            *_card_findings(item, ctx, video, item.params),
            *_sound_findings(item, ctx, video, item.params),
            *_light_findings(item, ctx, video, item.params),
        ]
        if not found:
            good.append(video.url)
        out.extend(found)
    if good and not any(f.severity in ("fail", "review") for f in out):
        text = f"{len(good)} 个视频的片头文字、声音和光线符合要求。"
        out.append(finding(item, ctx, "pass", text, f"{len(good)} 个视频合格", good[:20], required=_REQUIRED))
    return out
