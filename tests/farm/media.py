"""A plain media host for the video-inspection tests: files with Range support, a host
that ignores Range, a 1.2 GB file padded on the fly, HTML behind ``.mp4`` names, HLS, and
the micro-course lessons at ``/lesson/<name>`` (made on first use)."""

from __future__ import annotations

import threading
from pathlib import Path

from .lessons import SparseFile, ensure_lessons
from .server import Request, Response, html
from .videos import BIG_SIZE, PaddedFile

_TYPES = {".mp4": "video/mp4", ".ts": "video/mp2t", ".m3u8": "application/vnd.apple.mpegurl"}


class MediaApp:
    def __init__(self, videos: dict[str, Path], media_dir: Path) -> None:
        self.videos = videos
        self.hls_dir = media_dir / "hls"
        self.big = PaddedFile(videos["hd25.mp4"], BIG_SIZE)
        self.media_dir = media_dir
        self._lessons: dict[str, Path | SparseFile] | None = None
        self._lessons_lock = threading.Lock()

    def lessons(self) -> dict[str, Path | SparseFile]:
        """The lessons, made (or loaded from the media dir) on first use: the farm's start stays fast."""
        with self._lessons_lock:
            if self._lessons is None:
                self._lessons = ensure_lessons(self.media_dir)
            return self._lessons

    def __call__(self, req: Request) -> Response:
        path = req.path
        honour = not path.startswith("/norange/")
        name = path.rsplit("/", 1)[-1]
        if path == "/page.mp4":  # an HTML page where a video should be
            return html("<!DOCTYPE html><html><body><h1>文件已删除</h1></body></html>")
        if path == "/html-typed-as-video.mp4":
            return Response(200, b"<!DOCTYPE html><html><body>error</body></html>", "video/mp4")
        if name == "big.mp4":
            return Response(200, content_type="video/mp4", file=self.big, honour_range=honour)
        if path.removeprefix("/norange").startswith("/lesson/"):
            lesson = self.lessons().get(name)
            if lesson is None:
                return Response(404, b"not found", "text/plain")
            return Response(200, content_type="video/mp4", file=lesson, honour_range=honour)
        if path.startswith("/hls/") and (self.hls_dir / name).is_file():
            return Response(200, content_type=_TYPES[Path(name).suffix], file=self.hls_dir / name)
        if name in self.videos:
            return Response(200, content_type="video/mp4", file=self.videos[name], honour_range=honour)
        return Response(404, b"not found", "text/plain")
