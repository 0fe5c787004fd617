"""Rubrics as data: one TOML file per campaign in ``inspectors/rubrics/``.

A user can copy a file, change a threshold, and pass its path with ``--rubric``. Every
problem in a file is one Chinese line naming the file, the line and what is wrong.

Top-level keys: ``name``, ``title``, ``seed``, ``period = ["YYYY-MM-DD", "YYYY-MM-DD"]``
(the campaign's window: dated rules and the deep-application index use it),
``[durations]`` (video minutes by school level) and ``[[items]]``. Each item has ``id``,
``title``, ``requirement``, ``evidence``, ``rule`` (a rule kind or a list of them),
``severity`` and the rule's own parameters.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from errors import RubricError

from ._card import CARD_FIELDS

__all__ = [
    "DEFAULT_RUBRIC",
    "Rubric",
    "RubricItem",
    "available_rubrics",
    "item_titles",
    "load_rubric",
    "parse_day",
    "rubric_from_text",
]

DEFAULT_RUBRIC = "quanzhou-2022"
SEVERITIES = ("fail", "warn", "review", "pass")
# Numeric thresholds of the video-content rule (seed 001's sound and light), checked on load.
_THRESHOLDS = ("min_ocr_confidence", "min_loudness_lufs", "min_snr_db", "min_luma", "min_luma_uniformity")


@dataclass(frozen=True)
class RubricItem:
    id: str
    title: str
    requirement: str
    evidence: str
    rule: str  # the rule kind being applied (the first of ``rules`` when loaded)
    severity: str = "fail"
    params: dict[str, Any] = field(default_factory=dict)
    rules: tuple[str, ...] = ()  # every rule kind of the item, applied in order


@dataclass(frozen=True)
class Rubric:
    name: str
    title: str
    seed: str
    items: tuple[RubricItem, ...]
    durations: dict[str, tuple[float, float]] = field(default_factory=dict)  # minutes, by group
    period: tuple[date, date] | None = None
    path: Path | None = None

    @property
    def reads_video_content(self) -> bool:
        """Whether an item judges what the micro-courses show (title card, sound, light):
        without one the probes leave them unread (no OCR, no sampling reads)."""
        return any("video_content" in (item.rules or (item.rule,)) for item in self.items)

    @property
    def reads_title_card(self) -> bool:
        """Whether an item judges the title card's length (or more of the lessons' content):
        without one the probes read the container only, not decoding the opening."""
        return self.reads_video_content or any("max_title_card_s" in item.params for item in self.items)


def _builtin_dir() -> Path:
    return Path(str(resources.files("inspectors") / "rubrics"))


def available_rubrics() -> list[str]:
    return sorted(p.stem for p in _builtin_dir().glob("*.toml"))


def parse_day(value: str) -> date:
    """``YYYY-MM-DD`` → date; ValueError otherwise."""
    return date.fromisoformat(str(value).strip())


def _item_lines(text: str) -> list[int]:
    """Line numbers (1-based) of every ``[[items]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("[[items]]")]


def load_rubric(name_or_path: str) -> Rubric:
    """A built-in rubric by name, or a rubric file by path; :class:`RubricError` otherwise."""
    path = Path(name_or_path)
    if not (path.suffix == ".toml" and path.exists()):
        builtin = _builtin_dir() / f"{name_or_path}.toml"
        if not builtin.exists():
            if path.suffix == ".toml":
                raise RubricError(f"找不到评价标准文件 {name_or_path}：请检查路径")
            names = "、".join(available_rubrics())
            raise RubricError(f"没有名为 {name_or_path} 的评价标准；可用的有：{names}，或给出 .toml 文件路径")
        path = builtin
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"无法读取评价标准文件 {path}：{exc}") from None
    return rubric_from_text(text, path)


def rubric_from_text(text: str, path: Path | None = None) -> Rubric:
    """A rubric from its TOML text (``path`` names it in messages; a distributed sweep's
    worker gets the text of the coordinator's rubric file in each message)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        place = f"第 {where.group(1)} 行第 {where.group(2)} 列" if where else ""
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RubricError(f"评价标准文件 {path} {place}格式错误（{detail}）：请按 TOML 语法修改后重试") from None
    from .rules import RULES

    lines = _item_lines(text)

    def fail(index: int, problem: str) -> RubricError:
        line = lines[index - 1] if index - 1 < len(lines) else None
        where = f"第 {line} 行（第 {index} 个评价项）" if line else f"第 {index} 个评价项"
        return RubricError(f"评价标准文件 {path} {where}：{problem}")

    items = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("items", []), start=1):
        missing = [k for k in ("id", "title", "rule") if k not in raw]
        if missing:
            raise fail(index, f"缺少字段 {'、'.join(missing)}")
        if raw["id"] in seen:
            raise fail(index, f"评价项 id 重复：{raw['id']}")
        kinds = tuple(raw["rule"]) if isinstance(raw["rule"], list) else (raw["rule"],)
        for kind in kinds:
            if kind not in RULES:
                raise fail(index, f"评价项 {raw['id']} 使用了未知的判定方式 {kind}；可用：{'、'.join(sorted(RULES))}")
        severity = raw.get("severity", "fail")
        if severity not in SEVERITIES:
            raise fail(index, f"评价项 {raw['id']} 的 severity 只能是 {'、'.join(SEVERITIES)}")
        for key in ("min", "max", *_THRESHOLDS):
            if key in raw and (not isinstance(raw[key], int | float) or isinstance(raw[key], bool)):
                raise fail(index, f"评价项 {raw['id']} 的 {key} 必须是数字，现在是 {raw[key]!r}")
        listed = raw.get("card_fields", [])
        if not isinstance(listed, list) or any(f not in CARD_FIELDS for f in listed):
            raise fail(index, f"评价项 {raw['id']} 的 card_fields 只能列出 {'、'.join(CARD_FIELDS)} 中的项")
        seen.add(raw["id"])
        params = {
            k: v for k, v in raw.items() if k not in ("id", "title", "requirement", "evidence", "rule", "severity")
        }
        items.append(
            RubricItem(
                raw["id"],
                raw["title"],
                raw.get("requirement", ""),
                raw.get("evidence", ""),
                kinds[0],
                severity,
                params,
                kinds,
            )
        )
    if "name" not in data or not items:
        raise RubricError(f"评价标准文件 {path}：需要 name 和至少一个 [[items]]")
    period = None
    if "period" in data:
        try:
            start, end = (parse_day(v) for v in data["period"])
        except (TypeError, ValueError):
            raise RubricError(f'评价标准文件 {path}：period 应为 ["YYYY-MM-DD", "YYYY-MM-DD"]') from None
        period = (start, end)
    durations = {k: (float(v[0]), float(v[1])) for k, v in data.get("durations", {}).items()}
    return Rubric(
        data["name"], data.get("title", data["name"]), data.get("seed", ""), tuple(items), durations, period, path
    )


def item_titles(name_or_path: str) -> dict[str, str]:
    """The Chinese titles of a rubric's items by id (for reports); empty when the rubric
    can no longer be loaded (a file that moved), so items are then shown by id."""
    every = {"deep_index": "深度应用指数（估算）"}  # the estimate every rubric gets
    try:
        return every | {item.id: item.title for item in load_rubric(name_or_path).items}
    except RubricError:
        return every
