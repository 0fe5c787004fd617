"""The micro-course lessons are what LESSON_FACTS says: real H.264 + AAC files with a title
card of the stated length and text, the stated audio level and SNR, the stated light, and
a 1.2 GB lesson spread over the whole file that costs a few MB."""

from __future__ import annotations

import random
import urllib.request
from pathlib import Path

import av
import numpy as np
import pytest

from tests.farm import Farm
from tests.farm.lessons import (
    BIG_LESSON,
    BIG_LESSON_SIZE,
    FIELD_NAMES,
    LESSON_FACTS,
    LessonFacts,
    SparseFile,
    card_luma,
    luma_after_card,
    range_reader,
    whole_file_loudness,
)

SMALL = [name for name, facts in LESSON_FACTS.items() if not facts.virtual]


def _thumb(frame: av.VideoFrame) -> np.ndarray:
    return frame.reformat(width=64, height=36, format="gray").to_ndarray().astype(np.float32)


def _card_cut(container: av.container.InputContainer) -> float | None:
    """The first frame whose 64×36 grey thumbnail differs from the first frame's by a mean
    of more than 12: where a scene-cut detector ends the title card."""
    first = None
    for frame in container.decode(container.streams.video[0]):
        thumb = _thumb(frame)
        if first is None:
            first = thumb
        elif np.abs(thumb - first).mean() > 12:
            return frame.time
    return None


def _snr_db(samples: np.ndarray, rate: int) -> float:
    """Loud 50 ms windows (the voice) over quiet ones (the pauses), in dB."""
    window = rate // 20
    blocks = samples[: len(samples) // window * window].reshape(-1, window)
    levels = 10 * np.log10(np.mean(blocks.astype(np.float64) ** 2, axis=1) + 1e-20)
    return float(np.percentile(levels, 95) - np.percentile(levels, 10))


def _audio(source: Path) -> tuple[np.ndarray, int]:
    with av.open(str(source)) as container:
        stream = container.streams.audio[0]
        samples = np.concatenate([frame.to_ndarray().mean(axis=0) for frame in container.decode(stream)])
        return samples, stream.codec_context.sample_rate


@pytest.fixture(scope="module")
def lessons(farm: Farm) -> dict[str, Path | SparseFile]:
    return farm.lessons


def test_the_facts_are_complete() -> None:
    cards = {facts.card_lines for facts in LESSON_FACTS.values()}
    assert len(cards) == 3  # two full cards and a partial one: a reader cannot be tuned to one
    for facts in LESSON_FACTS.values():
        assert tuple(facts.fields) == FIELD_NAMES
        shown = "".join(facts.card_lines)
        assert all(value is None or value in shown for value in facts.fields.values())
    assert {f.audio for f in LESSON_FACTS.values()} == {"normal", "quiet", "noisy", None}
    assert {f.light for f in LESSON_FACTS.values()} == {"normal", "dark", "uneven"}


@pytest.mark.parametrize("name", SMALL)
def test_a_lesson_is_what_its_facts_say(name: str, lessons: dict[str, Path | SparseFile]) -> None:
    facts = LESSON_FACTS[name]
    path = lessons[name]
    assert isinstance(path, Path)
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", facts.width, facts.height)
        assert video.format.name == "yuv420p" and video.average_rate == facts.fps
        assert container.duration / 1e6 == pytest.approx(facts.seconds, abs=0.1)
        assert bool(container.streams.audio) is (facts.audio is not None)
        assert _card_cut(container) == pytest.approx(facts.card_seconds)
    with av.open(str(path)) as container:  # the card shows its lines, as drawn
        first = next(container.decode(video=0)).to_ndarray(format="yuv420p")[: facts.height]
    drawn = card_luma(facts.card_lines, facts.width, facts.height)
    assert np.abs(first.astype(np.int16) - drawn).mean() < 3


@pytest.mark.parametrize("name", SMALL)
def test_a_lesson_sounds_as_its_facts_say(name: str, lessons: dict[str, Path | SparseFile]) -> None:
    facts = LESSON_FACTS[name]
    path = lessons[name]
    assert isinstance(path, Path)
    loudness = whole_file_loudness(path)
    if facts.audio is None:
        assert loudness is None
        return
    assert facts.lufs is not None and loudness == pytest.approx(facts.lufs, abs=1.0)
    snr = _snr_db(*_audio(path))
    if facts.audio == "normal":
        assert -24 <= loudness <= -20 and snr > 25
    elif facts.audio == "quiet":
        assert loudness < -35 and snr > 20
    else:
        assert -24 <= loudness <= -20 and snr < 12


@pytest.mark.parametrize("name", SMALL)
def test_a_lesson_is_lit_as_its_facts_say(name: str, lessons: dict[str, Path | SparseFile]) -> None:
    facts = LESSON_FACTS[name]
    luma = luma_after_card(lessons[name], facts.card_seconds, frames=80)  # one whole content GOP
    if facts.light == "normal":
        assert 110 <= luma.mean <= 160 and luma.brightest - luma.darkest < 30
    elif facts.light == "dark":
        assert luma.brightest < 40
    else:
        assert luma.darkest < 40 and luma.brightest > 180


def test_lessons_are_served_with_range(farm: Farm) -> None:
    url = farm.lesson_url("lesson_partial.mp4")
    request = urllib.request.Request(url, headers={"Range": "bytes=0-15"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 206 and answer.read()[4:8] == b"ftyp"
    with av.open(url) as container:
        assert _card_cut(container) == pytest.approx(LESSON_FACTS["lesson_partial.mp4"].card_seconds)


def test_the_big_lesson_is_small_in_memory(lessons: dict[str, Path | SparseFile]) -> None:
    big = lessons[BIG_LESSON]
    assert isinstance(big, SparseFile)
    assert big.size >= BIG_LESSON_SIZE >= 1.2 * 1024**3
    assert big.literal_bytes < 8 * 1024**2 and len(big.pieces) < 100_000
    head = big.read_range(0, 63)
    ftyp = int.from_bytes(head[:4], "big")
    assert head[4:8] == b"ftyp" and head[ftyp + 4 : ftyp + 8] == b"moov"  # faststart
    middle = big.read_range(big.size // 2, big.size // 2 + 4 * 1024**2)  # media bytes in the middle
    assert middle.count(b"\xff") > 3 * 1024**2 and len(middle.replace(b"\xff", b"")) > 10_000


def test_the_big_lesson_decodes_all_through(farm: Farm, lessons: dict[str, Path | SparseFile]) -> None:
    facts: LessonFacts = LESSON_FACTS[BIG_LESSON]
    big = lessons[BIG_LESSON]
    assert isinstance(big, SparseFile)
    with av.open(farm.lesson_url(BIG_LESSON)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert container.duration / 1e6 == pytest.approx(facts.seconds, abs=0.1)
        assert (video.width, video.height, video.frames) == (1920, 1080, 15000)
        assert _card_cut(container) == pytest.approx(facts.card_seconds)
        for part in (0.1, 0.5, 0.9):
            container.seek(int(part * facts.seconds / video.time_base), stream=video)
            packet = next(p for p in container.demux(video) if p.size)
            assert packet.pos / big.size == pytest.approx(part, abs=0.02)  # the bytes are where the time is
            container.seek(int(part * facts.seconds / video.time_base), stream=video)
            frame = next(container.decode(video))
            assert frame.time == pytest.approx(part * facts.seconds, abs=3.3)  # the keyframe before
            assert 110 <= frame.to_ndarray(format="yuv420p")[:1080].mean() <= 160
        container.seek(int(0.5 * facts.seconds / audio.time_base), stream=audio)
        samples = []
        for frame in container.decode(audio):
            samples.append(frame.to_ndarray().mean(axis=0))
            if frame.time > 0.5 * facts.seconds + 7:
                break
    import pyloudnorm

    loudness = pyloudnorm.Meter(audio.codec_context.sample_rate).integrated_loudness(np.concatenate(samples))
    assert facts.lufs is not None and loudness == pytest.approx(facts.lufs, abs=1.5)


def test_the_big_lesson_reads_the_same_through_a_reader(lessons: dict[str, Path | SparseFile]) -> None:
    big = lessons[BIG_LESSON]
    assert isinstance(big, SparseFile)
    with av.open(range_reader(big)) as container:
        container.seek(int(300 / container.streams.video[0].time_base), stream=container.streams.video[0])
        assert next(container.decode(video=0)).width == 1920


def test_a_sparse_file_behaves_like_bytes(tmp_path: Path) -> None:
    rng = random.Random(5)
    sparse, model = SparseFile(), bytearray()

    def chunk() -> bytes:
        return rng.choice([b"\xff" * rng.randrange(5000, 20000), rng.randbytes(rng.randrange(1, 3000))])

    for _ in range(200):
        data = chunk() + chunk()
        position = len(model) if rng.random() < 0.6 else rng.randrange(len(model) + 1)
        sparse.write_at(position, data)
        model[position : position + len(data)] = data
    for _ in range(100):
        start = rng.randrange(len(model))
        end = start + rng.randrange(40000)
        assert sparse.read_range(start, end) == bytes(model[start : end + 1])
    assert sparse.size == len(model) and sparse.read_range(0, len(model)) == bytes(model)
    sparse.compact()
    sparse.save(tmp_path / "s.npz")
    loaded = SparseFile.load(tmp_path / "s.npz")
    assert loaded.read_range(0, len(model)) == bytes(model) and loaded.literal_bytes < len(model) // 2
