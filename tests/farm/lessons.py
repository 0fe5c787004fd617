"""Micro-course lessons for the video-content checks: title-card OCR, audio loudness and
SNR, and picture light, with ``LESSON_FACTS`` as the ground truth.

Every lesson is a real H.264 + AAC MP4 (faststart) that opens with a static title card
drawn with Pillow, then shows content that moves and whose light class holds in every
frame. Encoding is kept short: the card and one closed content GOP are encoded, then the
GOP's packets are repeated with shifted timestamps; the audio is a periodic synthetic
voice, so one period of AAC packets is repeated the same way.

``lesson_big.mp4`` is 1.2 GB and ten minutes long, with audio and video interleaved over
the whole file: every video packet carries an H.264 filler-data NAL unit (decoders skip
it). It is muxed by PyAV into a ``SparseFile``, which keeps long runs of 0xFF as counts,
so it costs a few MB of memory and of disk (its compact form is cached).
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import io
import itertools
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .videos import PaddedFile

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
RATE = 48000  # audio sample rate
AUDIO_FRAME = 1024  # AAC frame size, in samples
PERIOD_SECONDS = 6.4  # the voice repeats with this period (a whole number of AAC frames and video frames)
GOP_SECONDS = 3.2  # one closed content GOP, repeated; half the audio period
FIELD_NAMES = ("教材版本", "学科", "年级", "课名", "主讲教师")


@dataclass(frozen=True)
class AudioKind:
    lufs: float  # integrated loudness of the whole track (EBU R128, as pyloudnorm measures it)
    snr_db: float  # RMS of the voice while it sounds over RMS of the background noise


@dataclass(frozen=True)
class LightKind:
    left: int  # base luma (Y plane) of the left and right halves of the content
    right: int


AUDIO_KINDS: dict[str, AudioKind] = {
    "normal": AudioKind(-21.0, 40.0),
    "quiet": AudioKind(-41.0, 30.0),  # 20 dB lower, noise still faint
    "noisy": AudioKind(-21.0, 6.0),  # the pauses are only 6 dB below the voice
}
LIGHT_KINDS: dict[str, LightKind] = {
    "normal": LightKind(135, 135),
    "dark": LightKind(22, 22),
    "uneven": LightKind(200, 20),
}


@dataclass(frozen=True)
class LessonFacts:
    card_lines: tuple[str, ...]  # the title card's text, top to bottom
    fields: dict[str, str | None] = field(hash=False)  # what OCR of the card must find (FIELD_NAMES)
    audio: str | None  # a key of AUDIO_KINDS, or None: no audio stream at all
    light: str  # a key of LIGHT_KINDS, true for every frame after the card
    seconds: float
    card_seconds: float = 3.0
    width: int = 1280
    height: int = 720
    fps: int = 25
    min_size: int = 0  # > 0: a virtual SparseFile padded with filler data to at least this many bytes
    faststart: bool = True  # False: the moov box at the end, as many exports leave it
    # The voice's gain (dB) in equal blocks of the lesson, e.g. (0, -8, 0, -8): a level that
    # changes over time, so loudness measured on the first seconds alone would be wrong.
    gains_db: tuple[float, ...] = ()

    @property
    def lufs(self) -> float | None:
        """The whole track's integrated loudness; with ``gains_db``, BS.1770's gating applied
        to the blocks (absolute gate −70 LUFS, relative gate 10 LU under their mean)."""
        if not self.audio:
            return None
        base = AUDIO_KINDS[self.audio].lufs
        if not self.gains_db:
            return base
        levels = np.array([base + gain for gain in self.gains_db])
        levels = levels[levels > -70]
        mean = 10 * np.log10(np.mean(10 ** (levels / 10)))
        kept = levels[levels > mean - 10]
        return float(10 * np.log10(np.mean(10 ** (kept / 10))))

    @property
    def snr_db(self) -> float | None:
        return AUDIO_KINDS[self.audio].snr_db if self.audio else None

    @property
    def virtual(self) -> bool:
        return self.min_size > 0


def _fields(*values: str | None) -> dict[str, str | None]:
    return dict(zip(FIELD_NAMES, values, strict=True))


CARD_A = ("人教版 数学 三年级上册", "《分数的初步认识》", "主讲教师：林晓梅")
FIELDS_A = _fields("人教版", "数学", "三年级", "分数的初步认识", "林晓梅")
CARD_B = ("部编版 语文 七年级", "《春》", "主讲：张丽华")
FIELDS_B = _fields("部编版", "语文", "七年级", "春", "张丽华")
CARD_PARTIAL = ("《认识时间》", "主讲：王强")
FIELDS_PARTIAL = _fields(None, None, None, "认识时间", "王强")
BIG_LESSON = "lesson_big.mp4"
BIG_LESSON_SIZE = math.ceil(1.2 * 1024**3)

LESSON_FACTS: dict[str, LessonFacts] = {
    "lesson_full.mp4": LessonFacts(CARD_A, FIELDS_A, "normal", "normal", 20.0),
    "lesson_partial.mp4": LessonFacts(CARD_PARTIAL, FIELDS_PARTIAL, "normal", "normal", 12.0),
    "lesson_b.mp4": LessonFacts(CARD_B, FIELDS_B, "normal", "normal", 12.0, card_seconds=4.0),
    "lesson_quiet.mp4": LessonFacts(CARD_A, FIELDS_A, "quiet", "normal", 12.0),
    "lesson_noisy.mp4": LessonFacts(CARD_A, FIELDS_A, "noisy", "normal", 12.0),
    "lesson_silent.mp4": LessonFacts(CARD_A, FIELDS_A, None, "normal", 12.0),
    "lesson_dark.mp4": LessonFacts(CARD_A, FIELDS_A, "normal", "dark", 12.0),
    "lesson_uneven.mp4": LessonFacts(CARD_A, FIELDS_A, "normal", "uneven", 12.0),
    # two minutes whose voice is 8 dB quieter in every other half-minute (a small picture,
    # so the probe samples stretches of it rather than reading it whole)
    "lesson_varying.mp4": LessonFacts(
        CARD_B, FIELDS_B, "normal", "normal", 120.0, 4.0, 640, 360, gains_db=(0.0, -8.0, 0.0, -8.0)
    ),
    BIG_LESSON: LessonFacts(CARD_A, FIELDS_A, "normal", "normal", 600.0, 3.0, 1920, 1080, min_size=BIG_LESSON_SIZE),
}
# Changes whenever the facts (or the way lessons are made) change, so cached lessons are redone.
LESSON_VERSION = hashlib.sha1(
    repr((sorted(LESSON_FACTS.items()), AUDIO_KINDS, LIGHT_KINDS, PERIOD_SECONDS, GOP_SECONDS, "lessons-1")).encode()
).hexdigest()[:10]


# -- pictures ----------------------------------------------------------------------------


def card_luma(lines: tuple[str, ...], width: int, height: int) -> np.ndarray:
    """The title card's luma: dark text, centred, on a light background."""
    image = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(height * 0.085))  # 61 px at 720p, 92 px at 1080p
    step = round(height * 0.15)
    top = (height - step * (len(lines) - 1)) // 2
    for index, line in enumerate(lines):
        draw.text((width // 2, top + index * step), line, fill=25, font=font, anchor="mm")
    return np.asarray(image)


def content_luma(light: str, width: int, height: int, phase: float) -> np.ndarray:
    """Content after the card at ``phase`` (0..1 over a GOP, seamless when it loops):
    drifting stripes and a moving bar on the light class's base luma."""
    kind = LIGHT_KINDS[light]
    x = np.arange(width)
    base = np.where(x < width // 2, kind.left, kind.right).astype(np.float32)
    stripes = np.maximum(4.0, base * 0.06) * np.sin(2 * np.pi * (x / (width / 6) - phase))
    bar_at = int(phase * width)
    bar = np.where((x >= bar_at) & (x < bar_at + width // 12), np.maximum(10.0, base * 0.15), 0.0)
    columns = np.rint(base + stripes + bar).astype(np.int16)
    rows = np.rint(2 * np.sin(2 * np.pi * np.arange(height) / (height / 4))).astype(np.int16)
    return np.clip(np.add.outer(rows, columns), 0, 255).astype(np.uint8)


def _yuv_frame(luma: np.ndarray) -> av.VideoFrame:
    height, width = luma.shape
    planes = np.full((height * 3 // 2, width), 128, np.uint8)  # grey: chroma at the midpoint
    planes[:height] = luma
    return av.VideoFrame.from_ndarray(planes, format="yuv420p")


# -- sound -------------------------------------------------------------------------------


def _voice(rng: np.random.Generator, samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Syllable-like bursts (a few harmonics of 200–300 Hz, shaped) and pauses; the period
    starts and ends in a pause, so it loops without a click. Returns (signal, sounding)."""
    signal = np.zeros(samples, np.float64)
    sounding = np.zeros(samples, bool)
    at, syllable = int(0.25 * RATE), 0
    while True:
        on = int(rng.uniform(0.15, 0.40) * RATE)
        pause = rng.uniform(0.45, 0.75) if syllable % 5 == 4 else rng.uniform(0.10, 0.30)
        if at + on + int(0.3 * RATE) > samples:
            break
        f0 = rng.uniform(200, 300) * np.linspace(1.0, 1.0 + rng.uniform(-0.15, 0.15), on)
        phase = 2 * np.pi * np.cumsum(f0) / RATE
        tone = sum(np.sin(k * phase) / k for k in range(1, 6))
        envelope = np.sin(np.pi * np.arange(on) / on) ** 0.6 * rng.uniform(0.6, 1.0)
        signal[at : at + on] = tone * envelope
        sounding[at : at + on] = envelope > 0.3
        at += on + int(pause * RATE)
        syllable += 1
    return signal, sounding


@cache
def audio_period(kind: str) -> np.ndarray:
    """One period (PERIOD_SECONDS) of a lesson's audio, mono float32 at RATE: the voice plus
    white noise at the kind's SNR, scaled to the kind's loudness. Deterministic."""
    import pyloudnorm

    spec = AUDIO_KINDS[kind]
    samples = round(PERIOD_SECONDS * RATE)
    voice, sounding = _voice(np.random.default_rng(20240611), samples)
    noise = np.random.default_rng(7).standard_normal(samples)
    voice_rms = np.sqrt(np.mean(voice[sounding] ** 2))
    mix = voice + noise * voice_rms * 10 ** (-spec.snr_db / 20)
    meter = pyloudnorm.Meter(RATE)
    mix *= 10 ** ((spec.lufs - meter.integrated_loudness(np.tile(mix, 2))) / 20)
    assert np.abs(mix).max() < 0.99, "the voice would clip"
    return mix.astype(np.float32)


# -- packets -----------------------------------------------------------------------------

Timed = tuple[Fraction, av.Packet]  # (decode time in seconds, packet) for muxing in order
Timing = tuple[int, int, int, bool]  # a packet's pts, dts, duration and keyframe flag


def _packet(data: bytes, timing: Timing, shift: int, stream: Any) -> av.Packet:
    pts, dts, duration, key = timing
    packet = av.Packet(data)
    packet.pts, packet.dts, packet.duration = pts + shift, dts + shift, duration
    packet.time_base = stream.codec_context.time_base
    packet.stream = stream
    packet.is_keyframe = key
    return packet


def _periodic(
    stream: Any, frames: Iterator[Any], stop: int, period: range | None = None, filler: bytes = b""
) -> Iterator[Timed]:
    """Encode ``frames``; when the stream repeats from then on, ``period`` is the pts range of
    one repetition: its packets are kept and, once encoding is over, repeated with timestamps
    shifted by whole periods up to ``stop`` (packets after it were coded against the end of
    what was encoded, and are dropped). ``filler`` is appended to every packet."""
    kept: list[tuple[bytes, Timing]] = []

    def emit(packets: list[av.Packet]) -> Iterator[Timed]:
        for packet in packets:
            if period is not None and packet.pts >= period.stop:
                continue
            data, timing = bytes(packet) + filler, (packet.pts, packet.dts, packet.duration or 1, packet.is_keyframe)
            if period is not None and packet.pts >= period.start:
                kept.append((data, timing))
            yield packet.dts * packet.time_base, (_packet(data, timing, 0, stream) if filler else packet)

    for frame in frames:
        yield from emit(stream.encode(frame))
    yield from emit(stream.encode(None))
    if period is None:
        return
    assert kept, "nothing to repeat"
    time_base = stream.codec_context.time_base  # known once the encoder is open
    for copy in itertools.count(1):
        shift = copy * len(period)
        for data, timing in kept:
            if timing[0] + shift >= stop:
                return
            yield (timing[1] + shift) * time_base, _packet(data, timing, shift, stream)


def _video_packets(stream: Any, facts: LessonFacts, filler: bytes) -> Iterator[Timed]:
    """The card, one content GOP (forced to start on a keyframe), then that GOP repeated."""
    fps, card = facts.fps, round(facts.card_seconds * facts.fps)
    total, gop = round(facts.seconds * fps), round(GOP_SECONDS * fps)
    still = _yuv_frame(card_luma(facts.card_lines, facts.width, facts.height))

    def frames() -> Iterator[av.VideoFrame]:
        for index in range(min(total, card + gop)):
            if index < card:
                frame = still
            else:
                frame = _yuv_frame(content_luma(facts.light, facts.width, facts.height, (index - card) / gop))
                if index == card:  # the content GOP must start on a keyframe, to be repeated
                    frame.pict_type = av.video.frame.PictureType.I
            frame.pts = index
            yield frame

    period = range(card, card + gop) if total > card + gop else None
    return _periodic(stream, frames(), total, period, filler)


def _audio_packets(stream: Any, facts: LessonFacts) -> Iterator[Timed]:
    """The periodic voice: encode two periods (or the whole track, if shorter), then repeat
    the second period's packets, coded when the encoder already was in its steady state."""
    assert facts.audio is not None
    one = audio_period(facts.audio)
    total = round(facts.seconds * RATE)
    period = range(len(one), 2 * len(one)) if total > 2 * len(one) and not facts.gains_db else None
    encoded = period.stop + 2 * AUDIO_FRAME if period else total
    signal = np.tile(one, -(-encoded // len(one)))[:encoded]
    if facts.gains_db:  # encoded whole: the level changes block by block
        blocks = np.array_split(np.arange(encoded), len(facts.gains_db))
        for block, gain in zip(blocks, facts.gains_db, strict=True):
            signal[block] *= np.float32(10 ** (gain / 20))

    def frames() -> Iterator[av.AudioFrame]:
        for start in range(0, encoded, AUDIO_FRAME):
            frame = av.AudioFrame.from_ndarray(signal[None, start : start + AUDIO_FRAME], format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            yield frame

    return _periodic(stream, frames(), total, period)


def filler_nal(payload: int) -> bytes:
    """An Annex B H.264 filler-data NAL unit (type 12) with ``payload`` bytes of 0xFF."""
    return b"\x00\x00\x00\x01\x0c" + b"\xff" * payload + b"\x80"


def make_lesson(target: Path | SparseFile, facts: LessonFacts) -> None:
    """Write one lesson to a path, or into a SparseFile (for the virtual big one)."""
    options = {"movflags": "faststart"} if facts.faststart else {}
    if isinstance(target, SparseFile):
        # faststart reopens the output to move the moov: hand FFmpeg a reader of the same bytes
        output = av.open(
            target.cursor(),
            mode="w",
            format="mp4",
            options={**options, "flush_packets": "0"},  # large writes, not one per packet
            buffer_size=4 << 20,
            io_open=lambda url, flags, opts: target.cursor(),
        )
    else:
        output = av.open(str(target), mode="w", format="mp4", options=options)
    gop = str(round(GOP_SECONDS * facts.fps))
    with output as container:
        video = container.add_stream(
            "libx264",
            rate=facts.fps,
            options={"preset": "ultrafast", "g": gop, "keyint_min": gop, "sc_threshold": "0", "bframes": "0"},
        )
        video.width, video.height, video.pix_fmt = facts.width, facts.height, "yuv420p"
        filler = b""
        if facts.virtual:
            filler = filler_nal(-(-facts.min_size // round(facts.seconds * facts.fps)))
        streams: list[Iterator[Timed]] = [_video_packets(video, facts, filler)]
        if facts.audio:
            audio = container.add_stream("aac", rate=RATE, layout="mono")
            audio.bit_rate = 96000
            streams.append(_audio_packets(audio, facts))
        for _, packet in heapq.merge(*streams, key=lambda timed: timed[0]):
            container.mux(packet)


# -- the sparse file ---------------------------------------------------------------------

RUN_BYTE = 0xFF
MIN_RUN = 4096  # shorter runs of 0xFF stay literal


def _split(data: bytes) -> list[bytes | int]:
    """Literal pieces (bytes) and runs of 0xFF (their length, an int)."""
    if not data:
        return []
    other = np.flatnonzero(np.frombuffer(data, np.uint8) != RUN_BYTE)
    # a run lies between two other bytes more than MIN_RUN apart (or before the first, after the last)
    edges = np.concatenate(([-1], other, [len(data)]))
    gaps = np.flatnonzero(np.diff(edges) > MIN_RUN)
    pieces: list[bytes | int] = []
    at = 0
    for gap in gaps.tolist():
        run_start, run_end = int(edges[gap]) + 1, int(edges[gap + 1])
        if run_start > at:
            pieces.append(data[at:run_start])
        pieces.append(run_end - run_start)
        at = run_end
    if at < len(data):
        pieces.append(data[at:])
    return pieces


def _length(piece: bytes | int) -> int:
    return piece if isinstance(piece, int) else len(piece)


def _cut(piece: bytes | int, start: int, end: int) -> bytes | int:
    return end - start if isinstance(piece, int) else piece[start:end]


class SparseFile(PaddedFile):
    """A file held as literal pieces and runs of 0xFF (stored as counts). It can be written
    and overwritten through ``cursor()`` (what a muxer needs), read back the same way or
    with ``read_range`` (what the farm's server needs: a PaddedFile, to it), and saved in a
    compact form."""

    def __init__(self) -> None:  # no real file to pad: PaddedFile's state is not used
        self.starts: list[int] = []
        self.pieces: list[bytes | int] = []
        self.size = 0

    def write_at(self, position: int, data: bytes) -> None:
        if position > self.size:
            raise ValueError("writing past the end of a SparseFile")
        new = _split(data)
        end = position + len(data)
        first = max(bisect.bisect_right(self.starts, position) - 1, 0)
        last = bisect.bisect_left(self.starts, end)  # pieces[first:last] overlap [position, end)
        if position == self.size:
            first = last = len(self.pieces)
        replaced: list[bytes | int] = []
        if first < last and self.starts[first] < position:
            replaced.append(_cut(self.pieces[first], 0, position - self.starts[first]))
        replaced += new
        if first < last:
            tail_start = self.starts[last - 1]
            tail = self.pieces[last - 1]
            if tail_start + _length(tail) > end:
                replaced.append(_cut(tail, end - tail_start, _length(tail)))
        at = self.starts[first] if first < last else position
        starts = []
        for piece in replaced:
            starts.append(at)
            at += _length(piece)
        self.pieces[first:last] = replaced
        self.starts[first:last] = starts
        self.size = max(self.size, end)

    def read_range(self, start: int, end: int) -> bytes:
        """Bytes ``start`` to ``end`` inclusive (like an HTTP Range), cut at the file's end."""
        end = min(end + 1, self.size)
        if start >= end:
            return b""
        index = bisect.bisect_right(self.starts, start) - 1
        out = []
        while index < len(self.pieces) and self.starts[index] < end:
            piece, offset = self.pieces[index], self.starts[index]
            lo, hi = max(start - offset, 0), min(end - offset, _length(piece))
            out.append(bytes([RUN_BYTE]) * (hi - lo) if isinstance(piece, int) else piece[lo:hi])
            index += 1
        return b"".join(out)

    def cursor(self) -> _Cursor:
        """A seekable file object over this file, for reading and writing (PyAV takes it)."""
        return _Cursor(self)

    def compact(self) -> None:
        """Join neighbouring pieces of a kind and share equal literal pieces (a repeated GOP
        and a repeated audio period lay out the same bytes again and again)."""
        pieces: list[bytes | int] = []
        pending: list[bytes] = []
        shared: dict[bytes, bytes] = {}

        def close_literal() -> None:
            if pending:
                literal = b"".join(pending)
                pieces.append(shared.setdefault(literal, literal))
                pending.clear()

        for piece in self.pieces:
            if isinstance(piece, int):
                close_literal()
                if pieces and isinstance(pieces[-1], int):
                    pieces[-1] += piece
                else:
                    pieces.append(piece)
            else:
                pending.append(piece)
        close_literal()
        self.pieces = pieces
        self.starts = np.concatenate(([0], np.cumsum([_length(p) for p in pieces])[:-1])).tolist()

    @property
    def literal_bytes(self) -> int:
        """Memory taken by the literal pieces (each shared piece counted once)."""
        return sum(len(p) for p in {id(p): p for p in self.pieces if isinstance(p, bytes)}.values())

    def save(self, path: Path) -> None:
        """Write the compact form (numpy arrays, no pickle)."""
        blobs: dict[int, int] = {}  # id(piece) -> index of the unique literal
        unique: list[bytes] = []
        ids = []
        for piece in self.pieces:
            if isinstance(piece, int):
                ids.append(-1)
            else:
                ids.append(blobs.setdefault(id(piece), len(unique)))
                if ids[-1] == len(unique):
                    unique.append(piece)
        lengths = np.array([_length(p) for p in self.pieces], np.int64)
        offsets = np.cumsum([0] + [len(b) for b in unique]).astype(np.int64)
        data = np.frombuffer(b"".join(unique), np.uint8)
        with open(path, "wb") as handle:
            np.savez(handle, lengths=lengths, ids=np.array(ids, np.int64), offsets=offsets, data=data)

    @classmethod
    def load(cls, path: Path) -> SparseFile:
        with np.load(path, allow_pickle=False) as saved:
            lengths, ids, offsets = saved["lengths"].tolist(), saved["ids"].tolist(), saved["offsets"].tolist()
            data = saved["data"].tobytes()
        unique = [data[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
        sparse = cls()
        sparse.pieces = [length if blob < 0 else unique[blob] for length, blob in zip(lengths, ids, strict=True)]
        sparse.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64).tolist()
        sparse.size = int(sum(lengths))
        return sparse


class _Cursor(io.RawIOBase):
    """A file object over a PaddedFile's interface (``size``, ``read_range``); writable over
    a SparseFile."""

    def __init__(self, source: PaddedFile) -> None:
        self.source = source
        self.position = 0

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return isinstance(self.source, SparseFile)

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        end = self.source.size if size is None or size < 0 else min(self.position + size, self.source.size)
        data = self.source.read_range(self.position, end - 1) if end > self.position else b""
        self.position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def write(self, data: Any) -> int:
        assert isinstance(self.source, SparseFile)
        data = bytes(data)
        self.source.write_at(self.position, data)
        self.position += len(data)
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.source.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self) -> int:
        return self.position


def range_reader(source: PaddedFile) -> io.BufferedReader:
    """A seekable file object over anything with ``size`` and ``read_range`` (a SparseFile,
    a PaddedFile), for opening it with PyAV without a server."""
    return io.BufferedReader(_Cursor(source), buffer_size=1 << 16)


# -- the farm's lessons ------------------------------------------------------------------


def make_big_lesson(facts: LessonFacts) -> SparseFile:
    sparse = SparseFile()
    make_lesson(sparse, facts)
    sparse.compact()
    return sparse


def ensure_lessons(directory: Path) -> dict[str, Path | SparseFile]:
    """Make the lessons once into ``directory/lessons-<version>``; later calls reuse them.
    The big one is a SparseFile, loaded from its cached compact form."""
    home = directory / f"lessons-{LESSON_VERSION}"
    home.mkdir(parents=True, exist_ok=True)
    lessons: dict[str, Path | SparseFile] = {}
    for name, facts in LESSON_FACTS.items():
        path = home / (name + ".sparse.npz" if facts.virtual else name)
        if not path.exists() or path.stat().st_size == 0:
            tmp = path.with_name(f".{os.getpid()}.{path.name}")  # parallel test runs never share a tmp
            if facts.virtual:
                make_big_lesson(facts).save(tmp)
            else:
                make_lesson(tmp, facts)
            tmp.replace(path)
        lessons[name] = SparseFile.load(path) if facts.virtual else path
    return lessons


# -- ground truth measured on the files --------------------------------------------------


def _open(source: Path | PaddedFile) -> Any:
    return av.open(str(source)) if isinstance(source, Path) else av.open(range_reader(source))


def whole_file_loudness(source: Path | PaddedFile) -> float | None:
    """Integrated loudness (LUFS, pyloudnorm) of all the audio of a file, decoded with PyAV;
    None when it has no audio stream."""
    import pyloudnorm

    with _open(source) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        chunks = [frame.to_ndarray().mean(axis=0) for frame in container.decode(stream)]  # mono mix-down
        rate = stream.codec_context.sample_rate
    return float(pyloudnorm.Meter(rate).integrated_loudness(np.concatenate(chunks)))


@dataclass(frozen=True)
class LumaStats:
    mean: float  # mean luma (Y plane, 0–255) of the frames looked at
    darkest: float  # the darkest and the brightest region of a 4×4 grid, in any of those frames
    brightest: float


def luma_after_card(source: Path | PaddedFile, card_seconds: float, frames: int = 25) -> LumaStats:
    """Luma of the first ``frames`` frames after the title card."""
    grids = []
    with _open(source) as container:
        for frame in container.decode(container.streams.video[0]):
            if frame.time is None or frame.time < card_seconds:
                continue
            luma = frame.to_ndarray(format="yuv420p")[: frame.height].astype(np.float32)
            grids.append(luma.reshape(4, frame.height // 4, 4, frame.width // 4).mean(axis=(1, 3)))
            if len(grids) == frames:
                break
    every = np.stack(grids)
    return LumaStats(float(every.mean()), float(every.min()), float(every.max()))
