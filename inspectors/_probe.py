"""``probe_video(url)``: what a micro-course video is, read without downloading it.

PyAV opens the file through :class:`HttpRangeReader`, so FFmpeg's MP4 demuxer pulls only
the boxes it needs (the head, and the ``moov`` box at the end of files that were not
made "faststart") and the first seconds of frames for the title card. The card's frames
are read by OCR (``_card``); a few short stretches of audio and three keyframes after the
card, reached by seeking through the index, give the sound and light (``_sound_light``).
``size_bytes`` is the size the server declares; ``bytes_read`` is what actually crossed
the wire.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import struct
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from math import gcd
from typing import Any, Protocol

import av
import httpx

from crawler import (
    AddressPolicy,
    BudgetExceeded,
    GatedSyncTransport,
    RefusedAddress,
    ThreadGate,
    VideoProbe,
    pinned_sync_transport,
)

from ._card import card_fields, read_card
from ._hls import read_hls
from ._range_reader import HttpRangeReader, RangeReadError
from ._sound_light import measure_light, measure_sound, plan_sound
from ._title_card import measure_title_card

__all__ = ["ProbeCache", "probe_video"]


class ProbeCache(Protocol):
    """Where earlier probes are kept (the store provides one); keyed by URL and validators."""

    def lookup(self, url: str, size: int | None, etag: str | None, last_modified: str | None) -> VideoProbe | None: ...

    def save(
        self, url: str, size: int | None, etag: str | None, last_modified: str | None, probe: VideoProbe
    ) -> None: ...


_BUDGET = 64 * 1024 * 1024  # no probe ever pulls more than this, whatever the file
_COMMON_ASPECTS = ((16, 9), (4, 3), (21, 9), (1, 1), (9, 16), (3, 4))


def _aspect(width: int, height: int, sar: Fraction | None) -> str:
    num, den = width * (sar.numerator if sar else 1), height * (sar.denominator if sar else 1)
    divisor = gcd(num, den) or 1
    num, den = num // divisor, den // divisor
    for common in _COMMON_ASPECTS:
        if abs(num / den - common[0] / common[1]) < 0.01:
            return f"{common[0]}:{common[1]}"
    return f"{num}:{den}"


def _top_level_boxes(reader: HttpRangeReader) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of the MP4's top-level boxes, read box header by box header."""
    boxes: list[tuple[bytes, int, int]] = []
    offset = 0
    while len(boxes) < 64:
        reader.seek(offset)
        header = reader.read(16)
        if len(header) < 8:
            break
        size, kind = struct.unpack(">I4s", header[:8])
        if size == 1 and len(header) >= 16:
            size = struct.unpack(">Q", header[8:16])[0]
        elif size == 0 and reader.size is not None:
            size = reader.size - offset
        if size < 8 or not kind.isascii():
            break
        boxes.append((kind, offset, size))
        if kind == b"moov" and any(b[0] == b"mdat" for b in boxes):
            break
        if kind == b"mdat" and any(b[0] == b"moov" for b in boxes):
            break
        offset += size
        if reader.size is not None and offset >= reader.size:
            break
    return boxes


def _faststart(boxes: list[tuple[bytes, int, int]]) -> bool | None:
    kinds = [b[0] for b in boxes]
    if b"moov" in kinds and b"mdat" in kinds:
        return kinds.index(b"moov") < kinds.index(b"mdat")
    return None


def _stream_facts(container: Any) -> dict[str, Any]:
    stream = container.streams.video[0]
    ctx = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    duration = None
    if container.duration:
        duration = container.duration / 1_000_000
    elif stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    return {
        "codec": ctx.name,
        "width": ctx.width,
        "height": ctx.height,
        "display_aspect": _aspect(ctx.width, ctx.height, stream.sample_aspect_ratio),
        "fps": round(float(rate), 3) if rate else None,
        "duration_s": round(duration, 3) if duration is not None else None,
    }


def _probe_hls(client: httpx.Client, url: str, timeout: float) -> VideoProbe:
    try:
        playlist = read_hls(client, url)
    except (httpx.HTTPError, ValueError):
        return VideoProbe(status="not_video", detail="不是有效的 HLS 播放列表")
    facts: dict[str, Any] = {"codec": None, "width": playlist.width, "height": playlist.height, "fps": None}
    read = playlist.bytes_read
    detail = None
    if playlist.encrypted:
        detail = "HLS 视频已加密，只能读取播放列表中的信息（分辨率、码率、时长）"
    elif playlist.first_segment:
        reader = HttpRangeReader(client, playlist.first_segment, budget=_BUDGET)
        try:
            with av.open(reader, timeout=timeout) as container:
                if container.streams.video:
                    facts.update(_stream_facts(container))
        except (av.error.FFmpegError, RangeReadError, OSError):
            detail = "无法读取 HLS 的第一个分片"
        read += reader.bytes_read
    width, height = facts["width"], facts["height"]
    return VideoProbe(
        status="ok",
        codec=facts["codec"],
        width=width,
        height=height,
        display_aspect=_aspect(width, height, None) if width and height else None,
        fps=facts["fps"],
        duration_s=playlist.duration_s,
        size_bytes=None,
        faststart=None,
        title_card_s=None,
        bytes_read=read,
        detail=detail,
    )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One certificate store for every probe (loading it costs more than a small probe)."""
    return ssl.create_default_context()


def _validators(client: httpx.Client, url: str) -> tuple[int | None, str | None, str | None]:
    """Size, ETag and Last-Modified from a one-byte Range request (HEAD is often refused)."""
    with client.stream("GET", url, headers={"Range": "bytes=0-0"}) as response:
        if response.status_code >= 400:
            return None, None, None
        size = None
        content_range = response.headers.get("Content-Range", "")
        if response.status_code == 206 and "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
            size = int(content_range.rsplit("/", 1)[1])
            response.read()  # the one byte: the answer ends before the gate's slot is given back
        elif response.status_code == 200 and response.headers.get("Content-Length", "").isdigit():
            size = int(response.headers["Content-Length"])
        return size, response.headers.get("ETag"), response.headers.get("Last-Modified")


def probe_video(
    url: str,
    timeout: float = 15.0,
    *,
    title_window_s: float = 20.0,
    cache: ProbeCache | None = None,
    policy: AddressPolicy | None = None,
    transport: Callable[..., httpx.BaseTransport] | None = None,
    gate: ThreadGate | None = None,
    costs: dict[str, tuple[int, float]] | None = None,
    content: bool = True,
    card: bool = True,
    hold: Callable[[], AbstractContextManager[None]] | None = None,
) -> VideoProbe:
    """Read a video's properties without downloading it; every failure is a probe status.

    ``content=False`` (a rubric that does not judge what the lessons show) leaves the card's
    text, the sound and the light unmeasured (``None``): no OCR and no sampling reads. With
    ``card=False`` as well (nor the card's length) the opening is not decoded either: only
    the container is read.

    With a ``cache``, a file whose size and ETag/Last-Modified are unchanged since its last
    probe is not read again: the earlier probe is returned with ``bytes_read = 0``. With a
    ``gate`` every request (each Range read, playlist and segment, each redirect hop)
    waits for its host's slot of the crawl's gate. A ``costs`` dict receives the bytes
    read and seconds spent by each part (opening, title card, OCR, sound, light). ``hold``
    is entered around the decoding and the OCR (the probes' turn in a sweep).
    """
    guard = policy or AddressPolicy()

    def network(verify: ssl.SSLContext | bool) -> httpx.BaseTransport:
        # a HAR recorder or replay, else the network; through the gate when there is one
        inner = transport(verify=verify) if transport is not None else pinned_sync_transport(guard, verify=verify)
        return GatedSyncTransport(gate, inner) if gate is not None else inner

    def check(request: httpx.Request) -> None:  # every request, every redirect hop
        guard.check_sync(str(request.url))

    try:
        with httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            verify=_tls_context(),
            event_hooks={"request": [check]},
            transport=network(_tls_context()),
            # --insecure-host: that host only (a redirect to a CDN is checked again)
            mounts={f"https://{host}": network(False) for host in guard.insecure_hosts},
        ) as client:
            return _probe(
                client,
                url,
                timeout,
                title_window_s,
                cache,
                guard,
                transport,
                gate,
                costs,
                content,
                card or content,
                hold,
            )
    except RefusedAddress as exc:
        return VideoProbe(status="unreachable", detail=str(exc))
    except BudgetExceeded as exc:
        return VideoProbe(status="error", detail=str(exc))


def _probe(
    client: httpx.Client,
    url: str,
    timeout: float,
    title_window_s: float,
    cache: ProbeCache | None,
    guard: AddressPolicy,
    transport: Callable[..., httpx.BaseTransport] | None = None,
    gate: ThreadGate | None = None,
    costs: dict[str, tuple[int, float]] | None = None,
    content: bool = True,
    card: bool = True,
    hold: Callable[[], AbstractContextManager[None]] | None = None,
) -> VideoProbe:
    if cache is not None:
        try:
            size, etag, modified = _validators(client, url)
        except httpx.HTTPError:
            size, etag, modified = None, None, None
        if size is not None:
            cached = cache.lookup(url, size, etag, modified)
            # a probe made without the card, sound and light does not serve a rubric that judges them
            if cached is not None and cached.covers(content, card):
                return replace(cached, bytes_read=0)
        probe = probe_video(
            url,
            timeout,
            title_window_s=title_window_s,
            policy=guard,
            transport=transport,
            gate=gate,
            costs=costs,
            content=content,
            card=card,
            hold=hold,
        )
        if size is not None and probe.status == "ok" and probe.detail is None:  # a part failed: measure again next time
            cache.save(url, size, etag, modified, probe)
        return probe
    if url.lower().split("?", 1)[0].endswith(".m3u8"):
        return _probe_hls(client, url, timeout)
    reader = HttpRangeReader(client, url, budget=_BUDGET)
    try:
        head = reader.read(16)
    except RangeReadError as exc:
        status = "unreachable" if exc.reason in ("unreachable", "http") else "error"
        return VideoProbe(status=status, bytes_read=reader.bytes_read, detail=str(exc))
    if "text/html" in reader.content_type or head.lstrip()[:1] == b"<":
        return VideoProbe(
            status="not_video",
            size_bytes=reader.size,
            bytes_read=reader.bytes_read,
            detail="该地址返回的是网页，不是视频文件",
        )
    facts: dict[str, Any] = {}
    faststart = None
    measured = _Content()
    try:
        if head[4:8] == b"ftyp":
            faststart = _faststart(_top_level_boxes(reader))
        reader.seek(0)
        with av.open(reader, timeout=timeout) as container:
            if not container.streams.video:
                return VideoProbe(
                    status="not_video",
                    size_bytes=reader.size,
                    bytes_read=reader.bytes_read,
                    detail="文件中没有视频流",
                )
            facts = _stream_facts(container)
            # the decoding and the OCR, the memory-hungry part, in ``hold`` (a sweep's turn)
            with hold() if hold is not None else contextlib.nullcontext():
                measured = _measure_content(
                    container, reader, facts["duration_s"], title_window_s, costs, content, card
                )
    except RangeReadError as exc:
        return VideoProbe(
            status="error",
            size_bytes=reader.size,
            faststart=faststart,
            bytes_read=reader.bytes_read,
            detail=str(exc),
        )
    except av.error.InvalidDataError:
        return VideoProbe(
            status="not_video" if faststart is None and head[4:8] != b"ftyp" else "error",
            size_bytes=reader.size,
            faststart=faststart,
            bytes_read=reader.bytes_read,
            detail="文件不是可识别的视频，或已损坏（例如上传不完整、缺少 moov）",
        )
    except (av.error.FFmpegError, OSError) as exc:
        return VideoProbe(
            status="error",
            size_bytes=reader.size,
            faststart=faststart,
            bytes_read=reader.bytes_read,
            detail=f"读取视频出错：{exc}",
        )
    return VideoProbe(
        status="ok",
        size_bytes=reader.size,
        faststart=faststart,
        title_card_s=measured.card_s,
        title_card_text=measured.card_text,
        title_card_fields=card_fields(measured.card_text) if measured.card_text is not None else None,
        title_card_confidence=measured.card_confidence,
        audio=measured.audio,
        picture=measured.picture,
        bytes_read=reader.bytes_read,
        detail="；".join(measured.problems) or None,
        card_image=measured.card_image,
        content_read=content,
        card_read=card,
        **facts,
    )


@dataclass
class _Content:
    """What the file's pictures and sound show, each part ``None`` when not measured."""

    card_s: float | None = None
    card_text: str | None = None
    card_confidence: float | None = None
    card_image: str | None = None
    audio: dict[str, Any] | None = None
    picture: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    def drop(self, part: str) -> None:
        """Forget what a part that failed half-way measured."""
        if part == "ocr":
            self.card_text = self.card_confidence = self.card_image = None
        elif part in ("sound", "light"):
            setattr(self, "audio" if part == "sound" else "picture", None)


_SAMPLING_BLOCK = 256 * 1024  # read-ahead while sampling keyframes
_SOUND_SHARE = 12 * 1024 * 1024  # most the sound sample may read (its plan aims at 8 MB)
_LIGHT_SHARE = 4 * 1024 * 1024  # most the three keyframes may read
# Signals of the crawl (its request budget, a host paused, the address guard): not a
# measurement that failed, so they end the probe as before.
_CRAWL_SIGNALS = (BudgetExceeded, RefusedAddress)


def _byte_rate(container: Any, size: int | None, duration: float | None) -> float | None:
    if size and duration:
        return size / duration
    return container.bit_rate / 8 if container.bit_rate else None


def _measure_content(
    container: Any,
    reader: HttpRangeReader,
    duration: float | None,
    title_window_s: float,
    costs: dict[str, tuple[int, float]] | None,
    read_content: bool = True,
    read_opening: bool = True,
) -> _Content:
    """Title card (length, text), sound and light; a part that cannot be read is left
    ``None`` with the reason in ``problems``, and the others are still measured. Without
    ``read_content`` only the card's length is measured; without ``read_opening`` either, nothing."""
    content = _Content()
    if costs is not None:
        costs["opening"] = (reader.bytes_read, 0.0)

    def step(name: str, what: str, measure: Callable[[], None], share: int | None = None) -> None:
        before, started, budget = reader.bytes_read, time.perf_counter(), reader.budget
        if share is not None:
            reader.budget = min(budget or share + before, before + share)
        reader.failure = None
        try:
            measure()
            if reader.failure is not None:
                raise reader.failure
        except _CRAWL_SIGNALS:
            raise
        except (av.error.FFmpegError, RangeReadError) as exc:
            content.problems.append(f"无法{what}：{exc}")
            content.drop(name)
        except Exception as exc:  # OCR or audio libraries: the part is lost, not the probe
            content.problems.append(f"无法{what}（{type(exc).__name__}）")
            content.drop(name)
        finally:
            reader.budget = budget
        if costs is not None:
            costs[name] = (reader.bytes_read - before, time.perf_counter() - started)

    frames: list[Any] = []

    def card() -> None:
        nonlocal frames
        measured = measure_title_card(container, title_window_s)
        content.card_s, frames = measured.seconds, measured.frames

    def ocr() -> None:
        if frames:
            reading = read_card(frames)
            content.card_text = reading.text or ""  # "" = a card was read and shows no text
            content.card_confidence, content.card_image = reading.confidence, reading.image

    def sound() -> None:
        plan = plan_sound(duration, _byte_rate(container, reader.size, duration), content.card_s or 0.0)
        # one request per stretch where the bit rate is known, then small blocks for its tail
        reader.jump_block = max(_SAMPLING_BLOCK, min(plan.stretch_bytes + 131072, 4 << 20))
        reader.max_block = _SAMPLING_BLOCK
        content.audio = measure_sound(container, plan)

    def light() -> None:
        reader.jump_block = reader.max_block = _SAMPLING_BLOCK
        content.picture = measure_light(container, duration, content.card_s or 0.0)

    if not read_opening:
        return content
    step("title_card", "解码开头画面，未测量片头", card)
    if not read_content:
        return content
    step("ocr", "识别片头文字", ocr)
    frames.clear()  # the decoded card frames are large: let them go
    # Sampling seeks far into the file: a failed read (a server that stops answering, a HAR
    # without those ranges, the part's share of reading used up) leaves that part unmeasured.
    reader.soft_failures = True
    step("sound", "测量声音", sound, _SOUND_SHARE)
    step("light", "测量画面亮度", light, _LIGHT_SHARE)
    return content
