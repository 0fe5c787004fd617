"""The rule registry: rule kind → check function. Duplicate kinds are rejected."""

from __future__ import annotations

from ._base import InspectContext, RuleCheck
from .columns import check_columns
from .content_safety import check_content_safety
from .count import check_count
from .date_spread import check_date_spread
from .evidence import check_evidence
from .outbound_links import check_outbound_links
from .presence import check_presence
from .ratio import check_ratio
from .review import check_review
from .video_content import check_video_content
from .video_spec import check_video_spec
from .visibility import check_visibility
from .yearly_minimum import check_yearly_minimum

__all__ = ["RULES", "InspectContext", "register"]

RULES: dict[str, RuleCheck] = {}


def register(kind: str, check: RuleCheck) -> None:
    if kind in RULES:
        raise ValueError(f"duplicate rule kind: {kind}")
    RULES[kind] = check


for _kind, _check in (
    ("visibility", check_visibility),
    ("count", check_count),
    ("ratio", check_ratio),
    ("presence", check_presence),
    ("outbound_links", check_outbound_links),
    ("video_spec", check_video_spec),
    ("video_content", check_video_content),
    ("evidence", check_evidence),
    ("date_spread", check_date_spread),
    ("yearly_minimum", check_yearly_minimum),
    ("columns", check_columns),
    ("content_safety", check_content_safety),
    ("review", check_review),
):
    register(_kind, _check)
