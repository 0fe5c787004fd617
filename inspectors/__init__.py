"""Rubrics as data, one small module per rule, the video probe, findings and verdicts."""

from __future__ import annotations

from ._card import CARD_FIELDS, card_fields
from ._deep_index import DeepIndexEstimate, cohort_scores, estimate_deep_index
from ._finding import Finding, verdict_of
from ._inspect import inspect_snapshot
from ._probe import ProbeCache, probe_video
from ._rubric import (
    DEFAULT_RUBRIC,
    Rubric,
    RubricItem,
    available_rubrics,
    item_titles,
    load_rubric,
    parse_day,
    rubric_from_text,
)

__all__ = [
    "CARD_FIELDS",
    "DEFAULT_RUBRIC",
    "DeepIndexEstimate",
    "Finding",
    "ProbeCache",
    "Rubric",
    "RubricItem",
    "available_rubrics",
    "card_fields",
    "cohort_scores",
    "estimate_deep_index",
    "inspect_snapshot",
    "item_titles",
    "load_rubric",
    "rubric_from_text",
    "parse_day",
    "probe_video",
    "verdict_of",
]
