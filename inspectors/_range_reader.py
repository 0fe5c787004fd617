"""A seekable, read-only file over HTTP Range requests, for PyAV.

PyAV (FFmpeg) reads a container through ``read``/``seek``; this object answers from
blocks fetched with ``Range: bytes=a-b``, growing the block size while reads stay
sequential, and counts every byte that crossed the wire (``bytes_read``). A server that
ignores Range (200 with the full body) is detected on the first answer: the body is read
up to ``no_range_limit`` bytes and the connection dropped, so a 1 GB file is never pulled.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict

import httpx

__all__ = ["HttpRangeReader", "RangeReadError"]

_MIN_BLOCK = 256 * 1024
_MAX_BLOCK = 2 * 1024 * 1024
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class RangeReadError(OSError):
    """Reading stopped: the server refused, ignored Range past the limit, or the read budget ran out."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # unreachable | no_range | budget | http


class HttpRangeReader(io.RawIOBase):
    """``read``/``seek``/``tell`` over HTTP; ``size``, ``etag`` and ``last_modified`` once opened."""

    def __init__(
        self, client: httpx.Client, url: str, *, budget: int | None = None, no_range_limit: int = 8 * 1024 * 1024
    ) -> None:
        super().__init__()
        self.client = client
        self.url = url
        self.budget = budget  # most bytes this reader may pull in all
        self.no_range_limit = no_range_limit
        self.pos = 0
        self.size: int | None = None
        self.bytes_read = 0
        self.requests = 0
        self.range_supported: bool | None = None
        self.content_type = ""
        self.etag: str | None = None
        self.last_modified: str | None = None
        self._blocks: OrderedDict[int, bytes] = OrderedDict()  # start offset → bytes
        self._next_block = _MIN_BLOCK
        self._last_end = -1
        # The largest block a sequential read grows to; sampling short stretches lowers it,
        # so the read-ahead past a stretch's end stays small.
        self.max_block = _MAX_BLOCK
        self.jump_block = _MIN_BLOCK  # the first block after a jump (sampling sets it to a stretch's size)
        # With soft failures a failed fetch ends the read early (FFmpeg sees the end of the
        # data) and is kept in ``failure``, instead of an exception raised inside FFmpeg's
        # callback, which FFmpeg may retry and PyAV then reports on stderr.
        self.soft_failures = False
        self.failure: RangeReadError | None = None

    # -- io.RawIOBase --------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self.pos = offset
        elif whence == io.SEEK_CUR:
            self.pos += offset
        elif whence == io.SEEK_END:
            if self.size is None:
                self._fetch(0, _MIN_BLOCK - 1)
            self.pos = (self.size or 0) + offset
        else:
            raise ValueError(f"bad whence {whence}")
        self.pos = max(0, self.pos)
        return self.pos

    def read(self, size: int = -1) -> bytes:
        if self.size is not None and self.pos >= self.size:
            return b""
        if size is None or size < 0:
            size = (self.size or self.pos + _MAX_BLOCK) - self.pos
        out = bytearray()
        while len(out) < size:
            chunk = self._from_blocks(self.pos, size - len(out))
            if not chunk:
                try:
                    self._load(self.pos)
                except RangeReadError as exc:
                    if not self.soft_failures:
                        raise
                    self.failure = exc  # the caller asks for it after FFmpeg returns
                    break
                chunk = self._from_blocks(self.pos, size - len(out))
                if not chunk:
                    break
            out += chunk
            self.pos += len(chunk)
            if self.size is not None and self.pos >= self.size:
                break
        return bytes(out)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    # -- blocks --------------------------------------------------------------------------
    def _from_blocks(self, pos: int, want: int) -> bytes:
        for start, data in self._blocks.items():
            if start <= pos < start + len(data):
                self._blocks.move_to_end(start)
                return data[pos - start : pos - start + want]
        return b""

    def _load(self, pos: int) -> None:
        if self.range_supported is False:
            raise RangeReadError("no_range", "服务器不支持分段读取（忽略 Range 请求），为避免下载整个视频已停止读取")
        # Sequential reads (demuxing, decoding) get ever larger blocks; jumps start small.
        self._next_block = min(self._next_block * 2, self.max_block) if pos == self._last_end + 1 else self.jump_block
        end = pos + self._next_block - 1
        if self.size is not None:
            end = min(end, self.size - 1)
        self._fetch(pos, end)

    def _fetch(self, start: int, end: int) -> None:
        if self.budget is not None and self.bytes_read >= self.budget:
            raise RangeReadError("budget", f"已读取 {self.bytes_read} 字节，达到读取上限，停止读取")
        self.requests += 1
        try:
            with self.client.stream("GET", self.url, headers={"Range": f"bytes={start}-{end}"}) as response:
                self.content_type = response.headers.get("Content-Type", "")
                self.etag = response.headers.get("ETag")
                self.last_modified = response.headers.get("Last-Modified")
                if response.status_code == 416:
                    self._last_end = end
                    return
                if response.status_code >= 400:
                    raise RangeReadError("http", f"服务器返回 HTTP {response.status_code}")
                if response.status_code == 206:
                    self.range_supported = True
                    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
                    if match and match.group(3) != "*":
                        self.size = int(match.group(3))
                    first = int(match.group(1)) if match else start
                    data = self._read_body(response, end - start + 1)
                    self._store(first, data)
                    return
                # 200: the whole file is coming. Keep only the head, within the limit.
                self.range_supported = False
                length = response.headers.get("Content-Length", "")
                self.size = int(length) if length.isdigit() else None
                data = self._read_body(response, self.no_range_limit)
                self._store(0, data)
        except httpx.HTTPError as exc:
            raise RangeReadError("unreachable", f"读取视频失败：{exc.__class__.__name__}") from None

    def _read_body(self, response: httpx.Response, limit: int) -> bytes:
        chunks = []
        got = 0
        for chunk in response.iter_bytes(chunk_size=64 * 1024):
            chunks.append(chunk)
            got += len(chunk)
            if got >= limit:
                break  # leaving the block closes the connection: nothing more is pulled
        self.bytes_read += got
        return b"".join(chunks)[:limit]

    def _store(self, start: int, data: bytes) -> None:
        self._blocks[start] = data
        self._last_end = start + len(data) - 1
        while len(self._blocks) > 32:
            self._blocks.popitem(last=False)
