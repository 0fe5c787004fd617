"""Reports of inspections: the check-1 JSON document, the HTML dashboard and report cards,
and the findings.csv / findings.xlsx / sweep.json exports."""

from __future__ import annotations

from pathlib import Path

from ._changes import changes_between
from ._check_json import SCHEMA_ID, check_document
from ._html import (
    SEVERITY_TEXT,
    STATUS_TEXT,
    VERDICT_TEXT,
    VISIBILITY_TEXT,
    ReportFiles,
    card_image_role,
    render_card_body,
    template_environment,
    write_report,
)

__all__ = [
    "CHECK_SCHEMA_PATH",
    "SCHEMA_ID",
    "SEVERITY_TEXT",
    "STATUS_TEXT",
    "VERDICT_TEXT",
    "VISIBILITY_TEXT",
    "ReportFiles",
    "card_image_role",
    "changes_between",
    "render_card_body",
    "template_environment",
    "check_document",
    "write_report",
]

CHECK_SCHEMA_PATH = Path(__file__).parent / "schema" / "check-1.schema.json"
