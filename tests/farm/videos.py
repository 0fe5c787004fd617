"""Real H.264 MP4 files for the farm, made with PyAV's bundled libx264.

Each file starts with a static title card, then changes every frame, so later issues can
measure the card. ``VIDEO_FACTS`` is the ground truth of what a probe must read.
"""

from __future__ import annotations

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
    "hd25.mp4": VideoFacts(1920, 1080, 25, 3.0, 1.0, True, "16:9"),
    "hd25b.mp4": VideoFacts(1920, 1080, 25, 4.0, 2.0, True, "16:9"),
    "ratio43.mp4": VideoFacts(640, 480, 25, 2.0, 1.0, True, "4:3"),
    "fps30.mp4": VideoFacts(1280, 720, 30, 2.0, 1.0, True, "16:9"),
    "late.mp4": VideoFacts(1920, 1080, 25, 2.0, 1.0, False, "16:9"),
}


def make_video(path: Path, facts: VideoFacts) -> None:
    options = {"movflags": "faststart"} if facts.faststart else {}
    with av.open(str(path), mode="w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=facts.fps, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = facts.width, facts.height, "yuv420p"
        frames = int(facts.seconds * facts.fps)
        card = int(facts.card_seconds * facts.fps)
        for index in range(frames):
            frame = av.VideoFrame(facts.width, facts.height, "yuv420p")
            shade = 40 if index < card else (60 + index * 7) % 200
            for plane_index, plane in enumerate(frame.planes):
                value = shade if plane_index == 0 else 128
                plane.update(bytes([value]) * plane.buffer_size)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def ensure_videos(directory: Path) -> dict[str, Path]:
    """Make the farm's videos once; later calls reuse the files."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, facts in VIDEO_FACTS.items():
        path = directory / name
        if not path.exists() or path.stat().st_size == 0:
            tmp = path.with_suffix(".tmp.mp4")
            make_video(tmp, facts)
            tmp.replace(path)
        paths[name] = path
    return paths
