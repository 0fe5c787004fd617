"""Where the static opening card (片头) of a video ends, from its first seconds only.

Frames are shrunk to 64×36 grey and compared with the first frame; the card ends at the
first frame that differs from it by more than a threshold (a scene cut). Openings that
change within 0.3 s count as no card. If nothing changes within the window, the card is
at least as long as the window, which is reported (it is over any 5-second limit).

The frames of the card that the OCR reads are kept on the way: one about a second in
(past any fade-in), the last one before the cut, and the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TitleCard", "measure_title_card"]

_W, _H = 64, 36
_THRESHOLD = 12.0  # mean absolute grey-level difference that counts as a cut
_NO_CARD_S = 0.3
_READ_AT_S = 1.0  # the card frame the OCR reads first


@dataclass
class TitleCard:
    seconds: float | None  # None when no frame could be decoded
    frames: list[Any] = field(default_factory=list)  # card frames to read, best first


def _thumb(frame: Any) -> bytes:
    small = frame.reformat(width=_W, height=_H, format="gray", interpolation="FAST_BILINEAR")
    plane = small.planes[0]
    line = plane.line_size
    raw = bytes(plane)
    return b"".join(raw[row * line : row * line + _W] for row in range(_H))


def _difference(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def measure_title_card(container: Any, window_s: float = 20.0) -> TitleCard:
    """The static opening of ``container`` (decoding at most ``window_s`` seconds)."""
    stream = container.streams.video[0]
    # One thread per decoder: frame threading starts a thread pool per file, which costs
    # more than it saves on a few seconds of frames, and in a sweep, where many files are
    # probed at once, its per-thread buffers made memory grow with the number of probes.
    first: bytes | None = None
    first_frame = inside = last_similar = None
    start_time: float | None = None
    last_time = 0.0

    def card(seconds: float | None) -> TitleCard:
        picks = [inside, last_similar, first_frame] if seconds else []
        unique = [f for i, f in enumerate(picks) if f is not None and all(f is not g for g in picks[:i])]
        return TitleCard(seconds, unique)

    for frame in container.decode(stream):
        if frame.time is None:
            continue
        if start_time is None:
            start_time = frame.time
        elapsed = frame.time - start_time
        thumb = _thumb(frame)
        if first is None:
            first, first_frame = thumb, frame
            continue
        last_time = elapsed
        if thumb != first and _difference(first, thumb) > _THRESHOLD:  # (identical frames are common in a card)
            return card(0.0 if elapsed < _NO_CARD_S else round(elapsed, 2))
        last_similar = frame
        if inside is None and elapsed >= _READ_AT_S:
            inside = frame
        if elapsed >= window_s:
            return card(round(elapsed, 2))
    return card(round(last_time, 2)) if first is not None else TitleCard(None)
