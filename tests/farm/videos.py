"""Real H.264 files for the farm, made with PyAV's bundled libx264.

Each file is a lesson of ``tests/farm/lessons.py``: a static title card that shows the five
items seed 001 asks for, then changing content, with a spoken "voice" track. Long files (a
compliant 12-minute micro-course) are made by encoding the card and one closed GOP, then
repeating its packets with shifted timestamps: a real, decodable file in seconds.
``VIDEO_FACTS`` is the ground truth of what a probe must read. ``PaddedFile`` serves a
real small MP4 followed by a valid ``free`` box, so a 1.2 GB file costs no disk.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

import av


@dataclass(frozen=True)
class VideoFacts:
    width: int
    height: int
    fps: int
    seconds: float
    card_seconds: float
    faststart: bool
    display_aspect: str


VIDEO_FACTS: dict[str, VideoFacts] = {
    # used by the farm's spaces
    "hd25.mp4": VideoFacts(1920, 1080, 25, 3.0, 1.0, True, "16:9"),
    "hd25b.mp4": VideoFacts(1920, 1080, 25, 4.0, 2.0, True, "16:9"),
    "ratio43.mp4": VideoFacts(640, 480, 25, 2.0, 1.0, True, "4:3"),
    "fps30.mp4": VideoFacts(1280, 720, 30, 2.0, 1.0, True, "16:9"),
    "late.mp4": VideoFacts(1920, 1080, 25, 2.0, 1.0, False, "16:9"),
    # the video-inspection matrix
    # long files, made by repeating one content GOP
    "compliant.mp4": VideoFacts(1920, 1080, 25, 724.0, 4.0, True, "16:9"),
    "card8.mp4": VideoFacts(1920, 1080, 25, 28.0, 8.0, True, "16:9"),
    "late_long.mp4": VideoFacts(1920, 1080, 25, 603.0, 3.0, False, "16:9"),
}
BIG_SIZE = int(1.2 * 1024**3)
# Changes whenever the facts (or the way files are made) change, so cached media is redone.
MEDIA_VERSION = hashlib.sha1((repr(sorted(VIDEO_FACTS.items())) + "|lesson-content-1").encode()).hexdigest()[:10]


def _frame(width: int, height: int, shade: int) -> av.VideoFrame:
    frame = av.VideoFrame(width, height, "yuv420p")
    for index, plane in enumerate(frame.planes):
        plane.update(bytes([shade if index == 0 else 128]) * plane.buffer_size)
    return frame


def _shade(index: int, card: int) -> int:
    # A dark static card, then a clearly brighter picture that changes every few frames.
    return 40 if index < card else 90 + ((index - card) // 5 * 37) % 150


def make_video(path: Path, facts: VideoFacts) -> None:
    """A micro-course as a teacher would upload it: a title card that shows the five items
    (tests/farm/lessons.py ``CARD_A``), a spoken "voice" at a normal level, even light."""
    from .lessons import CARD_A, FIELDS_A, LessonFacts, make_lesson

    lesson = LessonFacts(
        CARD_A,
        FIELDS_A,
        "normal",
        "normal",
        facts.seconds,
        facts.card_seconds,
        facts.width,
        facts.height,
        facts.fps,
        faststart=facts.faststart,
    )
    make_lesson(path, lesson)


def make_hls(directory: Path) -> None:
    """Two 2-second MPEG-TS segments, a media playlist, a master playlist and an
    "encrypted" master whose media playlist declares an AES-128 key."""
    directory.mkdir(parents=True, exist_ok=True)
    for index in range(2):
        with av.open(str(directory / f"seg{index}.ts"), mode="w", format="mpegts") as container:
            stream = container.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
            stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
            for i in range(50):
                frame = _frame(1280, 720, _shade(i + index * 50, 25))
                frame.pts = i + index * 50
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    segments = "".join(f"#EXTINF:2.000,\nseg{i}.ts\n" for i in range(2))
    media = f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n{segments}#EXT-X-ENDLIST\n"
    (directory / "media.m3u8").write_text(media)
    (directory / "master.m3u8").write_text(
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlow.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\nmedia.m3u8\n"
    )
    (directory / "low.m3u8").write_text(media)
    (directory / "enc-media.m3u8").write_text(
        media.replace("#EXT-X-TARGETDURATION:2\n", '#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="key.bin"\n')
    )
    (directory / "enc-master.m3u8").write_text(
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720\nenc-media.m3u8\n"
    )


class PaddedFile:
    """A real MP4 followed by one ``free`` box of zeros up to ``size`` bytes, served
    without ever existing on disk."""

    def __init__(self, real: Path, size: int) -> None:
        self.head = real.read_bytes()
        self.size = size
        pad = size - len(self.head)
        self.head += struct.pack(">I4sQ", 1, b"free", pad)  # 64-bit box size
        self.real_length = len(self.head)

    def read_range(self, start: int, end: int) -> bytes:
        out = bytearray()
        if start < self.real_length:
            out += self.head[start : min(end + 1, self.real_length)]
        zeros = end + 1 - max(start, self.real_length)
        if zeros > 0:
            out += bytes(zeros)
        return bytes(out)


def ensure_videos(directory: Path) -> dict[str, Path]:
    """Make the farm's media once; later calls reuse the files."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, facts in VIDEO_FACTS.items():
        path = directory / name
        if not path.exists() or path.stat().st_size == 0:
            tmp = path.with_suffix(".tmp.mp4")
            make_video(tmp, facts)
            tmp.replace(path)
        paths[name] = path
    truncated = directory / "truncated.mp4"
    if not truncated.exists():
        data = paths["late.mp4"].read_bytes()
        truncated.write_bytes(data[: len(data) * 6 // 10])  # the upload stopped before the moov
    paths["truncated.mp4"] = truncated
    hls = directory / "hls"
    if not (hls / "enc-master.m3u8").exists():
        make_hls(hls)
    return paths
