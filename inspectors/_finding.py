"""Findings and the verdict rule of the check-1 contract."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Finding", "verdict_of"]

SEVERITIES = ("fail", "warn", "review", "pass")


@dataclass(frozen=True)
class Finding:
    """The outcome of one rubric item (or of one part of it) for one space."""

    rule: str
    rubric: str
    item: str
    severity: str  # fail | warn | review | pass
    message: str
    required: str
    measured: str
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "rubric": self.rubric,
            "item": self.item,
            "severity": self.severity,
            "message": self.message,
            "required": self.required,
            "measured": self.measured,
            "evidence": list(self.evidence),
        }


def verdict_of(findings: list[Finding], crawl_ok: bool) -> str:
    """``error`` when the space could not be read; ``fail`` on any failed automatic item;
    ``review`` while a review item is open; ``pass`` otherwise."""
    if not crawl_ok:
        return "error"
    severities = {f.severity for f in findings}
    if "fail" in severities:
        return "fail"
    if "review" in severities:
        return "review"
    return "pass"
