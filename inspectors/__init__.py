"""Rubrics as data, one small module per rule, the video probe, findings and verdicts."""

from __future__ import annotations

from ._finding import Finding, verdict_of
from ._inspect import inspect_snapshot
from ._probe import ProbeCache, probe_video
from ._rubric import DEFAULT_RUBRIC, Rubric, RubricItem, available_rubrics, load_rubric

__all__ = [
    "DEFAULT_RUBRIC",
    "Finding",
    "ProbeCache",
    "Rubric",
    "RubricItem",
    "available_rubrics",
    "inspect_snapshot",
    "load_rubric",
    "probe_video",
    "verdict_of",
]
