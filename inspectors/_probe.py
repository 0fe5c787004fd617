"""``probe_video(url)``: what a micro-course video file is, read with PyAV over HTTP.

FFmpeg's HTTP reader seeks with Range requests, so only the container header (and the
``moov`` box, wherever it is) and the first frames are read, never the whole file. The
exact byte accounting and the title-card measurement are left for the video issue;
their fields stay ``None`` ("not measured") until then.
"""

from __future__ import annotations

import struct
from fractions import Fraction
from math import gcd

import av
import httpx

from crawler import VideoProbe

__all__ = ["probe_video"]

_HEAD_BYTES = 64 * 1024


def _aspect(width: int, height: int, sar: Fraction | None) -> str:
    num, den = width * (sar.numerator if sar else 1), height * (sar.denominator if sar else 1)
    divisor = gcd(num, den) or 1
    num, den = num // divisor, den // divisor
    for common in ((16, 9), (4, 3), (21, 9), (1, 1), (9, 16), (3, 4)):
        if abs(num / den - common[0] / common[1]) < 0.01:
            return f"{common[0]}:{common[1]}"
    return f"{num}:{den}"


def _faststart(head: bytes) -> bool | None:
    """True when ``moov`` comes before ``mdat`` in the top-level boxes read."""
    offset = 0
    while offset + 8 <= len(head):
        size, kind = struct.unpack(">I4s", head[offset : offset + 8])
        if size == 1 and offset + 16 <= len(head):
            size = struct.unpack(">Q", head[offset + 8 : offset + 16])[0]
        if kind == b"moov":
            return True
        if kind == b"mdat":
            return False
        if size < 8:
            return None
        offset += size
    return None


def probe_video(url: str, timeout: float = 15.0) -> VideoProbe:
    """Read a video's properties without downloading it; failures are a probe status."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            response = client.get(url, headers={"Range": f"bytes=0-{_HEAD_BYTES - 1}"})
            head = response.content[:_HEAD_BYTES]
            if response.status_code >= 400:
                return VideoProbe(status="unreachable")
            total = None
            if response.status_code == 206 and "/" in response.headers.get("Content-Range", ""):
                tail = response.headers["Content-Range"].rsplit("/", 1)[1]
                total = int(tail) if tail.isdigit() else None
            elif response.headers.get("Content-Length", "").isdigit():
                total = int(response.headers["Content-Length"])
            if "text/html" in response.headers.get("Content-Type", "") or head.lstrip()[:1] == b"<":
                return VideoProbe(status="not_video", size_bytes=total)
    except httpx.HTTPError:
        return VideoProbe(status="unreachable")
    try:
        with av.open(url, timeout=timeout) as container:
            if not container.streams.video:
                return VideoProbe(status="not_video", size_bytes=total)
            stream = container.streams.video[0]
            ctx = stream.codec_context
            rate = stream.average_rate or stream.guessed_rate
            duration = (
                container.duration / 1_000_000
                if container.duration
                else (float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None)
            )
            return VideoProbe(
                status="ok",
                codec=ctx.name,
                width=ctx.width,
                height=ctx.height,
                display_aspect=_aspect(ctx.width, ctx.height, stream.sample_aspect_ratio),
                fps=round(float(rate), 3) if rate else None,
                duration_s=round(duration, 3) if duration is not None else None,
                size_bytes=total,
                faststart=_faststart(head),
            )
    except av.error.InvalidDataError:
        return VideoProbe(status="not_video", size_bytes=total)
    except (av.error.FFmpegError, OSError):
        return VideoProbe(status="error", size_bytes=total)
