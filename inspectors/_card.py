"""What a micro-course's title card (片头) says: OCR of a few card frames, then the five
items seed 001 asks the card to show (教材版本、学科、年级、课名、主讲教师).

The OCR is RapidOCR (PP-OCRv4 Chinese models, shipped inside the ``rapidocr-onnxruntime``
wheel, so nothing is downloaded at run time). Text boxes are put back into reading order:
boxes on one row joined by a space, rows by a line break.

The items are read from the card's text alone. A 课名 comes from 《…》 or a 课题/课名 label;
without either, a card line that the resource's own title contains is the 课名. A 主讲教师
comes from a 主讲/授课/执教 label, else the profile's name when the card shows it. The
resource title and the profile are only used to recognise what is on the card: an item the
card does not show stays ``None`` (they are what the card is compared with).
"""

from __future__ import annotations

import base64
import difflib
import functools
import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick
import numpy as np

__all__ = ["CARD_FIELDS", "CardReading", "card_fields", "read_card"]

CARD_FIELDS = ("教材版本", "学科", "年级", "课名", "主讲教师")
_WORDLISTS = Path(__file__).resolve().parent / "wordlists"
_OCR_LOCK = threading.Lock()  # one OCR at a time: it already uses every core
_THUMB_WIDTH = 320
# RapidOCR's detector brings a frame's shorter side up to 736 px but leaves a larger frame as
# it is: a 1080p card was detected at full size, twice the work of a 720p one. The detector
# is given the frame scaled down to that side; the recogniser still reads each line from
# the frame as given (small print keeps every character; RapidOCR itself shrinks a frame
# wider than 2000 px).
_DETECT_SHORT_SIDE = 736

_GRADE = re.compile(
    r"[一二三四五六七八九]年级|[1-9]年级|高[一二三](?![级中])|初[一二三](?![级中])|[小中大]班"
    r"|(?:选择性)?必修(?:第?[一二三四1-4]册)?|选修[一二三四1-4]?"  # high school: a volume stands for the grade
)
_VOLUME = re.compile(r"[上下]册|第[一二三四五六1-6]册|[上下]学期")
# A label, then the value: a name of 2–4 characters (a trailing 老师/教师 is not part of it).
_TEACHER = re.compile(
    r"(?:主讲教师|主讲老师|主讲人|授课教师|授课老师|授课人|执教教师|执教老师|执教者|主讲|授课|执教|讲师)"
    r"\s*:?\s*(?!年级|内容|班级|时间|学校|单位|课题|课时|学科|新课)([\u4e00-\u9fff·]{2,4}?)"
    r"(?=老师|教师|\s|$|[^\u4e00-\u9fff·])"
)
_TEACHER_RUN_ON = re.compile(r"(?:主讲教师|主讲老师|授课教师|执教教师|主讲|授课|执教)\s*:?\s*([\u4e00-\u9fff]{3})")
_SCHOOLISH = re.compile(r"(?:[中小]学|学校|[一二三四五六七八九十]中|幼儿园|中心|学院|[市县区镇])$")
# "课题：分数的初步认识": the value runs to the line's end or to the next "label：".
_LESSON_LABEL = re.compile(r"(?:课题名称|课程名称|课题|课名|课文|课程)\s*:\s*(.+?)\s*(?=\s\S{1,6}\s*:|\n|$)")
_EDITION_LABEL = re.compile(r"(?:教材版本|教材|版本)\s*:\s*(\S{2,12})")
_EDITION_TOKEN = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff]{1,5}版)(?![\u4e00-\u9fff])")
_NOT_EDITION = {
    "新版",
    "修订版",
    "第一版",
    "第二版",
    "电子版",
    "高清版",
    "完整版",
    "精简版",
    "简版",
    "课件版",
    "最新版",
}
_BOOK_TITLE = re.compile(r"《([^》\n]{1,40})》")
_PUNCT = re.compile(r"[\s\W_]+")
# Words that name the kind of video, not the lesson.
_GENERIC = {"微课", "微课程", "微视频", "课件", "教学视频", "精品课", "原创", "公开课", "优质课", "录像课"}


@dataclass(frozen=True)
class CardReading:
    text: str | None  # rows of the card, "\n"-separated; None when nothing was read
    confidence: float | None  # mean OCR score over the characters read (0..1)
    image: str | None  # base64 JPEG thumbnail of the frame that was read


@functools.cache
def _vocabulary(name: str) -> ahocorasick.Automaton:
    """Every spelling of a word list, each mapped to itself (the card's spelling is kept)."""
    automaton = ahocorasick.Automaton()
    for line in (_WORDLISTS / name).read_text(encoding="utf-8").splitlines():
        if line.strip().startswith("#"):
            continue
        for word in line.split():
            automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def _first_word(name: str, text: str) -> str | None:
    """The earliest longest word of the list in ``text`` (spaces between letters ignored)."""
    matches = list(_vocabulary(name).iter_long(_squeeze(text)))
    return min(matches, key=lambda m: m[0])[1] if matches else None


def _squeeze(text: str) -> str:
    """Spaces inside a run of Chinese removed ("人 教 版" → "人教版"), line breaks kept."""
    return re.sub(r"(?<=[\u4e00-\u9fff])[ \t]+(?=[\u4e00-\u9fff])", "", text)


def _plain(text: str) -> str:
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()


def _cut(text: str, part: str | None) -> str:
    """``text`` with ``part`` (and its letter-spaced spelling) replaced by a line break."""
    if not part:
        return text
    spaced = r"[ \t]*".join(map(re.escape, part))
    return re.sub(spaced, "\n", text, count=1)


def _edition(card: str) -> str | None:
    labelled = _EDITION_LABEL.search(card)
    if labelled:
        return labelled.group(1)
    listed = _first_word("textbooks.txt", card)
    if listed:
        return listed
    tokens = [t for t in _EDITION_TOKEN.findall(card) if t not in _NOT_EDITION]
    return tokens[0] if tokens else None


def _teacher(card: str, hint: str | None) -> tuple[str | None, str | None]:
    """(the name, the text that gave it) from a 主讲/授课/执教 label, else the profile's name
    where the card shows it."""
    for named in _TEACHER.finditer(card):
        name = named.group(1)
        if _SCHOOLISH.search(name):  # "主讲教师：泉州五中 林晓梅": the school comes first
            after = re.match(r"\s+([\u4e00-\u9fff·]{2,4})(?![\u4e00-\u9fff])", card[named.end() :])
            if not after:
                continue
            name = after.group(1)
        return name, named.group(0)
    if hint and len(hint) >= 2 and hint in _squeeze(card):
        return hint, hint
    run_on = _TEACHER_RUN_ON.search(card)  # "主讲林晓梅泉州实验小学": three characters, the commonest length
    return (run_on.group(1), run_on.group(0)) if run_on else (None, None)


def _lesson(card: str) -> tuple[str | None, str | None]:
    """(课名, the text that gave it) from 《…》 (not one that only names a subject or an
    edition, 《数学》) or a 课题/课名 label."""
    for book in _BOOK_TITLE.finditer(card):
        inner = book.group(1).strip()
        if _plain(inner) not in {_plain(w) for w in (_first_word("subjects.txt", inner), _edition(inner)) if w}:
            return inner, book.group(0)
    labelled = _LESSON_LABEL.search(card)
    return (labelled.group(1).strip(), labelled.group(0)) if labelled else (None, None)


def _lesson_from_title(rest: str, title: str) -> str | None:
    """The part of the card left over (once edition, subject, grade and teacher are taken
    out) that the resource's title shares most of: a lesson name written without 《》."""
    wanted = _plain(re.sub(r"\.(mp4|flv|mov|m4v|avi|wmv|m3u8)$", "", title, flags=re.I))
    if len(wanted) < 2:
        return None
    parts = {p.strip() for line in rest.splitlines() for p in [line, *line.split()] if p.strip()}
    best, best_score = None, 0.0
    for part in parts:
        plain = _plain(part)
        if len(plain) < 2 or plain in _GENERIC or _VOLUME.fullmatch(plain):
            continue
        match = difflib.SequenceMatcher(None, plain, wanted, autojunk=False).find_longest_match()
        if match.size < 2 or match.size < 0.6 * len(plain):
            continue
        score = match.size + match.size / len(plain)  # long shared runs first, then the tighter part
        if score > best_score:
            best, best_score = part, score
    return best


def card_fields(text: str | None, *, title: str | None = None, teacher: str | None = None) -> dict[str, str | None]:
    """The five items as the card shows them (``None`` where it shows none).

    ``title`` (the resource's title) and ``teacher`` (the profile's name) only help to
    recognise a 课名 or a name written on the card without a label."""
    fields: dict[str, str | None] = dict.fromkeys(CARD_FIELDS)
    if not text:
        return fields
    rest = unicodedata.normalize("NFKC", text)
    fields["课名"], source = _lesson(rest)
    rest = _cut(rest, source)
    fields["主讲教师"], source = _teacher(rest, teacher)
    rest = _cut(rest, source)
    fields["教材版本"] = _edition(rest)
    rest = _cut(rest, fields["教材版本"])
    fields["学科"] = _first_word("subjects.txt", rest)
    rest = _cut(rest, fields["学科"])
    grade = _GRADE.search(_squeeze(rest))
    fields["年级"] = grade.group(0) if grade else None
    rest = _cut(rest, fields["年级"])
    if fields["课名"] is None and title:
        fields["课名"] = _lesson_from_title(_VOLUME.sub("\n", rest), title)
    return fields


@functools.cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # imported on first use: it loads OpenCV and ONNX Runtime

    # One thread: the OCR runs beside the crawl (pages, the browser, other probes) on a small
    # machine; measured on 2 cores, one thread was no slower than the default of all cores.
    engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    if callable(getattr(engine, "text_det", None)):  # the detector RapidOCR calls on the whole frame
        engine.text_det = _SmallerDetection(engine.text_det)
    return engine


class _SmallerDetection:
    """RapidOCR's text detector run on the frame scaled to ``_DETECT_SHORT_SIDE`` on its
    shorter side, its boxes mapped back to the frame's own pixels."""

    def __init__(self, detect: Any) -> None:
        self.detect = detect

    def __getattr__(self, name: str) -> Any:  # RapidOCR sets its detector's thresholds
        if name == "detect":  # not set yet (a copy being made)
            raise AttributeError(name)
        return getattr(self.detect, name)

    def __call__(self, image: Any) -> Any:
        import cv2  # RapidOCR's own dependency, loaded with it

        height, width = image.shape[:2]
        scale = _DETECT_SHORT_SIDE / min(height, width)
        if scale >= 1:
            return self.detect(image)
        size = (round(width * scale), round(height * scale))
        boxes, elapsed = self.detect(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
        if boxes is None or len(boxes) == 0:
            return boxes, elapsed
        ratio = np.array([width / size[0], height / size[1]], dtype=boxes.dtype)
        return boxes * ratio, elapsed


def _rows(result: list[Any]) -> list[str]:
    """OCR boxes in reading order: top to bottom, boxes sharing a row left to right."""
    boxes = []
    for points, text, _score in result:
        ys = [p[1] for p in points]
        boxes.append((min(ys), max(ys), min(p[0] for p in points), text))
    boxes.sort()
    rows: list[list[tuple[float, float, float, str]]] = []
    for box in boxes:
        if rows:
            top, bottom = rows[-1][0][0], rows[-1][0][1]
            middle = (box[0] + box[1]) / 2
            if top <= middle <= bottom:
                rows[-1].append(box)
                continue
        rows.append([box])
    return [" ".join(b[3] for b in sorted(row, key=lambda b: b[2])) for row in rows]


def _ocr(image: Any) -> tuple[str | None, float | None]:
    with _OCR_LOCK:
        result, _elapsed = _engine()(image)
    if not result:
        return None, None
    weight = sum(len(text) for _, text, _ in result)
    confidence = sum(float(score) * len(text) for _, text, score in result) / max(weight, 1)
    return "\n".join(_rows(result)), round(confidence, 3)


def _thumbnail(frame: Any) -> str:
    image = frame.to_image()  # PIL, RGB
    image.thumbnail((_THUMB_WIDTH, _THUMB_WIDTH))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def read_card(frames: list[Any], good_enough: float = 0.9) -> CardReading:
    """OCR of the card frames (PyAV frames, best first) until one reads with ``good_enough``
    confidence; the reading with the most confidently read characters is kept."""
    best: tuple[float, str | None, float | None, Any] | None = None
    for frame in frames:
        text, confidence = _ocr(frame.to_ndarray(format="bgr24"))
        score = (confidence or 0.0) * len(text or "")
        if best is None or score > best[0]:
            best = (score, text, confidence, frame)
        if confidence is not None and confidence >= good_enough:
            break
    if best is None:
        return CardReading(None, None, None)
    return CardReading(best[1], best[2], _thumbnail(best[3]))
