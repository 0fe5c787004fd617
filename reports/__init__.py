"""Reports of inspections: the check-1 JSON document today; the HTML dashboard, report
cards and CSV/xlsx exports are the reports issue (#6) and do not exist yet."""

from __future__ import annotations

from pathlib import Path

from ._check_json import SCHEMA_ID, check_document

__all__ = ["CHECK_SCHEMA_PATH", "SCHEMA_ID", "check_document"]

CHECK_SCHEMA_PATH = Path(__file__).parent / "schema" / "check-1.schema.json"
