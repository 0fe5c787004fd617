"""HLS (``.m3u8``) videos: what the playlists say, and a probe of the first segment.

SPA platforms often serve micro-courses as HLS. The master playlist gives each variant's
RESOLUTION and BANDWIDTH; the media playlist's #EXTINF lines sum to the duration. The
first segment is probed for codec and frame rate; an encrypted stream (#EXT-X-KEY) is not
decoded, and reports only what the playlists say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

__all__ = ["HlsPlaylist", "read_hls"]

_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
_MAX_PLAYLIST = 2 * 1024 * 1024


@dataclass
class HlsPlaylist:
    duration_s: float | None
    width: int | None
    height: int | None
    bandwidth: int | None
    first_segment: str | None
    encrypted: bool
    bytes_read: int


def _get(client: httpx.Client, url: str) -> tuple[str, int]:
    response = client.get(url)
    response.raise_for_status()
    body = response.content[:_MAX_PLAYLIST]
    if not body.lstrip().startswith(b"#EXTM3U"):
        raise ValueError("not a playlist")
    return body.decode("utf-8", "replace"), len(response.content)


def read_hls(client: httpx.Client, url: str) -> HlsPlaylist:
    text, read = _get(client, url)
    width = height = bandwidth = None
    if "#EXT-X-STREAM-INF" in text:
        variants = []
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("#EXT-X-STREAM-INF:"):
                attrs = dict(_ATTR.findall(line.split(":", 1)[1]))
                uri = next((x.strip() for x in lines[i + 1 :] if x.strip() and not x.startswith("#")), None)
                if uri:
                    variants.append((int(attrs.get("BANDWIDTH", "0") or 0), attrs.get("RESOLUTION"), uri))
        if not variants:
            raise ValueError("master playlist without variants")
        bandwidth, resolution, uri = max(variants, key=lambda v: v[0])
        if resolution and "x" in resolution:
            w, h = resolution.lower().split("x", 1)
            width, height = int(w), int(h)
        url = urljoin(url, uri)
        text, more = _get(client, url)
        read += more
    durations = [float(m) for m in re.findall(r"#EXTINF:\s*([\d.]+)", text)]
    segments = [x.strip() for x in text.splitlines() if x.strip() and not x.startswith("#")]
    keys = re.findall(r"#EXT-X-KEY:.*?METHOD=([A-Z0-9-]+)", text)
    return HlsPlaylist(
        duration_s=round(sum(durations), 3) if durations else None,
        width=width,
        height=height,
        bandwidth=bandwidth,
        first_segment=urljoin(url, segments[0]) if segments else None,
        encrypted=any(k != "NONE" for k in keys),
        bytes_read=read,
    )
