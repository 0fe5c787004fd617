"""Score a robot's check-1 document against a generated space's ground truth, and compare
rubric findings on the truth with findings on the robot's snapshot. Pure functions over
dicts and lists; the benchmark aggregates them.

Matching: list items match by normalised URL; an expected item whose ``url`` is None (an
SPA record opened only by an in-app route) matches by normalised title (album: name).
Every robot item that matches nothing counts as one wrong answer of that ``*.found`` class.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = [
    "FieldResult",
    "RubricComparison",
    "compare_findings",
    "match_items",
    "norm_title",
    "norm_url",
    "score_document",
]

_CATEGORICAL = {
    "crawl.status",
    "visibility",
    "modules.kind",
    "resources.category",
    "resources.original",
    "resources.visibility",
    "articles.original",
    "resources.format",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_COLLECTIONS = ("resources", "articles", "albums", "photos", "videos")


@dataclass(frozen=True)
class FieldResult:
    cls: str  # the field class, e.g. "resources.category"
    right: bool
    expected: Any = None
    actual: Any = None
    item: str = ""  # the item the field belongs to (title or URL)

    @property
    def kind(self) -> str:
        """A short description of the miss, to group misses by (no item-specific values)."""
        if self.right:
            return "right"
        if self.cls.endswith(".found"):
            return "extra" if self.expected is None else "missing"
        if self.cls in _CATEGORICAL or isinstance(self.expected, bool):
            return f"{self.expected!r} → {self.actual!r}"
        if self.actual is None:
            return "not read (null)"
        if self.expected is None:
            return "read where none is shown"
        return "wrong value"


def norm_title(text: Any) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or ""))).strip()


def norm_url(url: Any) -> str:
    """Scheme and host lower-cased, default port and fragment dropped, query sorted."""
    if not url:
        return ""
    parts = urlsplit(str(url).strip())
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = unquote(parts.path) or "/"
    return f"{parts.scheme.lower()}://{host}{path}" + (f"?{query}" if query else "")


def match_items(
    expected: Sequence[Mapping[str, Any]], actual: Sequence[Mapping[str, Any]], title_key: str = "title"
) -> tuple[list[tuple[Mapping[str, Any], Mapping[str, Any]]], Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]:
    """(matched pairs, expected items not found, robot items matching nothing)."""
    by_url: dict[str, list[int]] = {}
    by_title: dict[str, list[int]] = {}
    for index, item in enumerate(actual):
        by_url.setdefault(norm_url(item.get("url")), []).append(index)
        by_title.setdefault(norm_title(item.get(title_key)), []).append(index)
    used: set[int] = set()
    pairs, missing = [], []
    for item in expected:
        pool = (
            by_url.get(norm_url(item["url"]), [])
            if item.get("url")
            else by_title.get(norm_title(item.get(title_key)), [])
        )
        hit = next((i for i in pool if i not in used), None)
        if hit is None:
            missing.append(item)
        else:
            used.add(hit)
            pairs.append((item, actual[hit]))
    extras = [item for index, item in enumerate(actual) if index not in used]
    return pairs, missing, extras


def _same(cls: str, expected: Any, actual: Any) -> bool:
    if cls.endswith("size_bytes"):
        if expected is None or actual is None:
            return expected is actual
        return isinstance(actual, int | float) and abs(actual - expected) <= max(1.0, 0.005 * expected)
    if cls.endswith("published"):
        return (expected or None) == (str(actual)[:10] if actual else None)
    if cls.endswith("format"):
        return (expected or None) == (str(actual).lower().lstrip(".") if actual else None)
    if cls.endswith(("title", "name")) and isinstance(expected, str):
        return norm_title(expected) == norm_title(actual)
    if cls == "profile.classes":
        return sorted(norm_title(x) for x in expected or []) == sorted(norm_title(x) for x in actual or [])
    if cls in ("profile.avatar", "profile.header_image", "profile.background"):
        return norm_url(expected) == norm_url(actual)
    if isinstance(expected, str) and isinstance(actual, str):
        return norm_title(expected) == norm_title(actual)
    return bool(expected == actual)


def _fields(
    cls: str, pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]], keys: Iterable[str], label: str
) -> list[FieldResult]:
    out = []
    keys = list(keys)
    for exp, got in pairs:
        for key in keys:
            name = f"{cls}.{key}"
            out.append(
                FieldResult(
                    name,
                    _same(name, exp.get(key), got.get(key)),
                    exp.get(key),
                    got.get(key),
                    str(exp.get(label) or exp.get("url")),
                )
            )
    return out


def _found(
    cls: str,
    expected: Sequence[Mapping[str, Any]],
    actual: Sequence[Mapping[str, Any]],
    label: str,
    fields: Iterable[str],
) -> list[FieldResult]:
    pairs, missing, extras = match_items(expected, actual, label)
    out = [FieldResult(f"{cls}.found", True, e.get(label), g.get(label), str(e.get(label))) for e, g in pairs]
    out += [FieldResult(f"{cls}.found", False, e.get(label) or e.get("url"), None, str(e.get(label))) for e in missing]
    out += [FieldResult(f"{cls}.found", False, None, g.get(label) or g.get("url"), str(g.get(label))) for g in extras]
    return out + _fields(cls, pairs, fields, label)


def _module_name(name: Any) -> str:
    """A module title without the count some platforms put in it (资源(27), 文章 12 篇)."""
    text = norm_title(name)
    return re.sub(r"\s*(\(\d+\)|\[\d+\]|（\d+）|\d+\s*[篇个份张条]|共\s*\d+\s*[篇个份张条])$", "", text)


def score_document(expected: Mapping[str, Any], actual: Mapping[str, Any]) -> list[FieldResult]:
    """Every scored field of one space."""
    out = [
        FieldResult(
            "crawl.status",
            _same("crawl.status", expected["crawl"]["status"], (actual.get("crawl") or {}).get("status")),
            expected["crawl"]["status"],
            (actual.get("crawl") or {}).get("status"),
        ),
        FieldResult(
            "visibility",
            expected["visibility"]["value"] == (actual.get("visibility") or {}).get("value"),
            expected["visibility"]["value"],
            (actual.get("visibility") or {}).get("value"),
        ),
    ]
    profile = actual.get("profile") or {}
    for key, value in expected["profile"].items():
        out.append(
            FieldResult(f"profile.{key}", _same(f"profile.{key}", value, profile.get(key)), value, profile.get(key))
        )
    exp_mods = [{**m, "url": None, "key": _module_name(m["name"])} for m in expected["modules"]]
    got_mods = [{**m, "url": None, "key": _module_name(m.get("name"))} for m in actual.get("modules") or []]
    out += _found("modules", exp_mods, got_mods, "key", ("kind", "items"))
    out += _found(
        "resources",
        expected["resources"],
        actual.get("resources") or [],
        "title",
        ("title", "category", "original", "published", "format", "size_bytes", "visibility"),
    )
    out += _found(
        "articles",
        expected["articles"],
        actual.get("articles") or [],
        "title",
        ("title", "original", "published", "category"),
    )
    out += _found("albums", expected["albums"], actual.get("albums") or [], "name", ("name", "photos"))
    pairs, missing, extras = match_items(
        [{**v, "key": v["url"]} for v in expected["videos"]],
        [{**v, "key": v.get("url")} for v in actual.get("videos") or []],
        "key",
    )
    out += [FieldResult("videos.found", True, e["url"], g.get("url"), e["url"]) for e, g in pairs]
    out += [FieldResult("videos.found", False, e["url"], None, e["url"]) for e in missing]
    out += [FieldResult("videos.found", False, None, g.get("url"), str(g.get("url"))) for g in extras]
    for e, g in pairs:
        probe = g.get("probe") or {}
        want = e["probe"]
        ok = all(probe.get(k) == want[k] for k in ("codec", "width", "height")) and all(
            want[k] is None or (probe.get(k) is not None and abs(probe[k] - want[k]) <= 0.5)
            for k in ("fps", "duration_s")
        )
        out.append(
            FieldResult(
                "videos.probe",
                ok,
                {k: want[k] for k in ("width", "height", "fps", "duration_s")},
                {k: probe.get(k) for k in ("width", "height", "fps", "duration_s")},
                e["url"],
            )
        )
        if want.get("title_card_fields") is not None:  # what OCR of the title card read
            fields = probe.get("title_card_fields")
            ok = fields == want["title_card_fields"]
            out.append(FieldResult("videos.card", ok, want["title_card_fields"], fields, e["url"]))
    exp_links = [{**o, "key": o["url"]} for o in expected["outbound_links"]]
    got_links = [{**o, "key": o.get("url")} for o in actual.get("outbound_links") or []]
    out += _found("outbound_links", exp_links, got_links, "key", ("official",))
    counts = actual.get("counts") or {}
    for key, value in expected["counts"].items():
        out.append(FieldResult(f"counts.{key}", value == counts.get(key), value, counts.get(key)))
    if "completeness" in actual:
        got = actual.get("completeness") or {}
        for key in _COLLECTIONS:
            value = expected["completeness"][key]["declared"]
            read = (got.get(key) or {}).get("declared")
            out.append(FieldResult("completeness.declared", value == read, value, read, key))
    return out


@dataclass
class RubricComparison:
    """Item outcomes per (rubric, item, rule) on the truth and on the robot."""

    rows: list[tuple[tuple[str, str, str], str | None, str | None]] = field(default_factory=list)

    def _count(self, test: Any) -> int:
        return sum(1 for _, truth, robot in self.rows if test(truth, robot))

    @property
    def compared(self) -> int:
        return self._count(lambda t, r: t is not None and r is not None)

    @property
    def false_fail(self) -> int:
        return self._count(lambda t, r: r == "fail" and t is not None and t != "fail")

    @property
    def false_pass(self) -> int:
        return self._count(lambda t, r: r == "pass" and t == "fail")

    @property
    def review(self) -> int:
        return self._count(lambda t, r: r == "review" and t is not None and t != "review")

    @property
    def missing(self) -> int:
        return self._count(lambda t, r: t is not None and r is None)

    @property
    def agree(self) -> int:
        return self._count(lambda t, r: t is not None and t == r)


_RANK = {"pass": 0, "warn": 1, "review": 2, "fail": 3}


def _keyed(findings: Iterable[Any]) -> dict[tuple[str, str, str], str]:
    """Each rubric item's outcome per rule: its most severe finding (fail > review > warn >
    pass). A video item with one finding per video is judged as a whole, as a reviewer does."""
    out: dict[tuple[str, str, str], str] = {}
    for finding in findings:
        get = finding.get if isinstance(finding, Mapping) else lambda k, f=finding: getattr(f, k)
        key = (str(get("rubric")), str(get("item")), str(get("rule")))
        if key[2] == "deep_index":
            continue  # always review, an estimate: not compared
        severity = str(get("severity"))
        if key not in out or _RANK.get(severity, 0) > _RANK.get(out[key], 0):
            out[key] = severity
    return out


def compare_findings(truth: Iterable[Any], robot: Iterable[Any]) -> RubricComparison:
    """Line up findings on the truth with findings on the robot's snapshot (dicts or Findings)."""
    t, r = _keyed(truth), _keyed(robot)
    keys = list(t) + [k for k in r if k not in t]
    return RubricComparison([(key, t.get(key), r.get(key)) for key in keys])
