"""Sound and light of a micro-course, measured on a few sampled stretches of the file.

Seed 001 asks for a quiet room, a clear and loud voice, and even, sufficient light. The
file is not downloaded: the container is seeked by its index and only what the sample
needs is read.

- **Sound**: a few short stretches of audio spread over the lesson (after the title card),
  decoded with the video stream discarded, so the demuxer reads audio samples only (in a
  finely interleaved file the bytes between them still pass, which is why the stretches
  are short and their total length shrinks with the file's bit rate). Integrated loudness
  is ITU-R BS.1770 (``pyloudnorm``) over the stretches together; the signal-to-noise
  estimate is the level of the loud 50 ms blocks (95th percentile) against the quiet ones
  (10th percentile), which in a spoken lesson are the pauses between words.
- **Light**: the keyframe at a few points after the card, shrunk to 64×36 grey: the mean
  luma (0–255) and its uniformity, 1 − (spread of the 4×4 cell means ÷ the mean).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import av
import numpy as np
from av.stream import Discard

__all__ = ["SoundPlan", "measure_light", "measure_sound", "plan_sound", "sample_points"]

_BLOCK_S = 0.05  # blocks for the signal-to-noise estimate
_FLOOR_DB = -90.0  # digital silence counts as this level
_MIN_SECONDS = 4.0  # at least this much audio is sampled, whatever the bit rate
_MAX_SECONDS = 20.0
_BYTES_FOR_SOUND = 8 * 1024 * 1024  # the sound sample's share of the probe's reading
_SILENT_LUFS = -70.0  # BS.1770's absolute gate: below it a track has no measurable sound


@dataclass(frozen=True)
class SoundPlan:
    starts: list[float]  # seconds from the start of the lesson
    seconds: float  # length of each stretch
    stretch_bytes: int  # what one stretch costs to read at the file's bit rate (0: unknown)


def sample_points(duration: float | None, start: float, count: int) -> list[float]:
    """``count`` points spread over ``start``..end of the lesson (end excluded)."""
    if not duration or duration <= start:
        return [start]
    span = duration - start
    return [start + span * (i + 0.5) / count for i in range(count)]


def plan_sound(duration: float | None, byte_rate: float | None, card_s: float) -> SoundPlan:
    """Where to sample and how long: the whole lesson when it is short, else four stretches
    whose total length fits the byte share at the file's bit rate (unknown: the minimum)."""
    if not duration:
        return SoundPlan([card_s], _MIN_SECONDS, 0)
    if duration - card_s <= _MIN_SECONDS * 2:
        return SoundPlan([0.0], duration, int(duration * (byte_rate or 0)))
    total = _MIN_SECONDS if not byte_rate else min(_MAX_SECONDS, max(_MIN_SECONDS, _BYTES_FOR_SOUND / byte_rate))
    total = min(total, duration - card_s)
    points = sample_points(duration, card_s, 4)
    stretch = total / len(points)
    return SoundPlan([max(card_s, p - stretch / 2) for p in points], stretch, int(stretch * (byte_rate or 0)))


def _origin(stream: Any) -> float:
    """Where the stream's timeline starts (not 0 in many MPEG-TS and FLV files)."""
    return float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0


def _decode_stretch(container: Any, stream: Any, start: float, seconds: float, resampler: Any) -> list[np.ndarray]:
    """Float samples (channels × n) of ``stream`` from ``start`` for ``seconds``."""
    origin = _origin(stream)
    container.seek(int((origin + start) / stream.time_base), stream=stream, backward=True)
    out: list[np.ndarray] = []
    begin, end = origin + start, origin + start + seconds
    for packet in container.demux(stream):
        for frame in packet.decode():
            if frame.time is None or frame.time + frame.samples / (frame.sample_rate or 1) <= begin:
                continue
            out.extend(f.to_ndarray().astype(np.float64) for f in resampler.resample(frame))
        if packet.pts is not None and packet.time_base is not None and packet.pts * packet.time_base >= end:
            break
    return out


def _snr(samples: np.ndarray, rate: int) -> float | None:
    block = int(rate * _BLOCK_S)
    count = len(samples) // block
    if count < 10:
        return None
    rms = np.sqrt(np.mean(samples[: count * block].reshape(count, block) ** 2, axis=1))
    levels = np.maximum(20 * np.log10(np.maximum(rms, 1e-12)), _FLOOR_DB)
    return round(float(np.percentile(levels, 95) - np.percentile(levels, 10)), 1)


def measure_sound(container: Any, plan: SoundPlan) -> dict[str, Any]:
    """``{"present", "loudness_lufs", "snr_db"}`` of the container's first audio stream.

    A track that is silent throughout has ``loudness_lufs`` = −70 (the absolute gate) and
    no signal-to-noise figure."""
    import pyloudnorm  # imported on first use (it brings SciPy)

    if not container.streams.audio:
        return {"present": False, "loudness_lufs": None, "snr_db": None}
    stream = container.streams.audio[0]
    channels = stream.codec_context.channels or 1
    # FFmpeg converts whatever the file holds (u8, s16, s32, packed or planar, 5.1) to float
    # planes; more than two channels are mixed down to stereo (pyloudnorm weighs up to five).
    rate = stream.codec_context.sample_rate or 48000
    resampler = av.AudioResampler(format="fltp", layout="mono" if channels == 1 else "stereo", rate=rate)
    for other in container.streams:
        other.discard = Discard.default if other.index == stream.index else Discard.all
    try:
        pieces = [
            piece
            for start in plan.starts
            for piece in _decode_stretch(container, stream, start, plan.seconds, resampler)
        ]
    finally:
        for other in container.streams:
            other.discard = Discard.default
    samples = np.concatenate(pieces, axis=1) if pieces else np.zeros((1, 0))
    if samples.shape[1] < rate * 0.5:
        return {"present": True, "loudness_lufs": None, "snr_db": None}
    # BS.1770 sums the channels' power (pyloudnorm wants samples × channels)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples.T if samples.shape[0] > 1 else samples[0])
    if not np.isfinite(loudness) or loudness <= _SILENT_LUFS:
        return {"present": True, "loudness_lufs": _SILENT_LUFS, "snr_db": None}
    return {"present": True, "loudness_lufs": round(float(loudness), 1), "snr_db": _snr(samples.mean(axis=0), rate)}


def _luma(frame: Any) -> np.ndarray:
    small = frame.reformat(width=64, height=36, format="gray")
    plane = small.planes[0]
    raw = np.frombuffer(bytes(plane), dtype=np.uint8).reshape(-1, plane.line_size)
    return raw[:36, :64].astype(np.float64)


def _keyframe_at(container: Any, stream: Any, at: float, after: float) -> Any | None:
    """The first frame at or after ``after`` once seeked to the keyframe before ``at``
    (both in seconds from the start of the lesson)."""
    origin = _origin(stream)
    container.seek(int((origin + at) / stream.time_base), stream=stream, backward=True)
    for index, frame in enumerate(container.decode(stream)):
        if frame.time is not None and frame.time - origin >= after:
            return frame
        if index > 50:  # a long GOP that starts inside the card: do not decode it all
            return None
    return None


def measure_light(container: Any, duration: float | None, card_s: float) -> dict[str, Any] | None:
    """``{"luma_mean", "luma_uniformity"}`` over keyframes sampled after the title card."""
    stream = container.streams.video[0]
    for other in container.streams:
        other.discard = Discard.default if other.index == stream.index else Discard.all
    means, uniformities = [], []
    try:
        for point in sample_points(duration, card_s + 0.5, 3):
            frame = _keyframe_at(container, stream, point, card_s)
            if frame is None:
                continue
            luma = _luma(frame)
            mean = float(luma.mean())
            cells = luma.reshape(4, 9, 4, 16).mean(axis=(1, 3))
            means.append(mean)
            uniformities.append(max(0.0, 1.0 - float(cells.std()) / mean) if mean > 0 else 0.0)
    finally:
        for other in container.streams:
            other.discard = Discard.default
    if not means:
        return None
    return {
        "luma_mean": round(sum(means) / len(means), 1),
        "luma_uniformity": round(sum(uniformities) / len(uniformities), 2),
    }
