"""The HTML reports a reviewer opens: a dashboard of the cohort and one card per space,
plus findings.csv (Excel-friendly), findings.xlsx and sweep.json.

Everything is self-contained and works from ``file://`` (shared folders, e-mail
attachments, offline Windows machines): no CDN, no remote loads (a CSP meta forbids
them), relative links only, a small inline script for sorting and filtering. Crawled
text is untrusted: Jinja2 autoescapes everything and only http(s) evidence becomes a
link.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from ._changes import changes_between
from ._charts import bar_chart, sparkline

__all__ = ["ReportFiles", "card_image_role", "render_card_body", "template_environment", "write_report"]


def card_image_role(video_url: str) -> str:
    """The snapshot blob that holds a video's title-card thumbnail."""
    return "card-" + hashlib.sha256(video_url.encode()).hexdigest()[:16] + ".jpg"


SEVERITY_TEXT = {"fail": "不合格", "warn": "警告", "review": "待人工评审", "pass": "合格"}
VERDICT_TEXT = {"pass": "合格", "fail": "不合格", "review": "需人工评审", "error": "无法检查"}
STATUS_TEXT = {
    "ok": "正常",
    "login_required": "需要登录",
    "not_found": "空间不存在",
    "unreachable": "无法访问",
    "blocked": "被拒绝访问",
    "error": "出错",
}
VISIBILITY_TEXT = {
    "everyone": "所有人可见",
    "login_required": "需登录",
    "friends_only": "仅好友可见",
    "private": "仅自己可见",
    "unknown": "未知",
}
OPENING_BAR = 0.9  # 开通率 ≥ 90% (seed 002)


@dataclass
class SpaceRow:
    index: int
    url: str
    teacher: str
    school: str
    group: str
    subject: str
    verdict: str
    status: str
    visibility: str
    failing: list[str]
    counts: dict[str, int]
    deep_index: int | None
    cohort_score: float | None
    card: str  # relative path of the report card
    document: dict[str, Any]
    screenshot: str | None = None  # data: URI of the home page screenshot, when one was kept
    card_images: dict[str, str] = field(default_factory=dict)  # video URL → data: URI of its title card
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status == "ok" and self.visibility == "everyone"


@dataclass(frozen=True)
class ReportFiles:
    index: Path
    cards: list[Path]
    csv: Path
    xlsx: Path
    json: Path


def _environment(*loaders: BaseLoader) -> Environment:
    """The reports' templates and filters; ``loaders`` come first (another app's pages that
    extend the reports' base or include the card's body)."""
    loader = ChoiceLoader([*loaders, PackageLoader("reports", "templates")])
    env = Environment(loader=loader, autoescape=select_autoescape(default=True))
    env.filters["verdict"] = lambda v: VERDICT_TEXT.get(v, v)
    env.filters["severity"] = lambda v: SEVERITY_TEXT.get(v, v)
    env.filters["status"] = lambda v: STATUS_TEXT.get(v, v)
    env.filters["visibility"] = lambda v: VISIBILITY_TEXT.get(v, v)
    env.tests["weblink"] = lambda v: isinstance(v, str) and v.lower().startswith(("http://", "https://"))
    return env


def _rows(store: Any, sweep_id: int | None) -> tuple[list[SpaceRow], dict[str, Any] | None]:
    sweep = None
    picks: list[tuple[str, int, int | None, float | None]] = []  # url, snapshot id, index, cohort score
    if sweep_id is None:
        sweep = store.latest_sweep()
    else:
        rows = list(store.db.execute("select id from sweeps where id = ?", [sweep_id]))
        if not rows:
            raise LookupError(sweep_id)
        sweep = store.db.table("sweeps").get(sweep_id)
    if sweep is not None:
        picks = [
            (i["url"], i["snapshot_id"], i["deep_index"], i["cohort_score"])
            for i in store.sweep_items(sweep["id"])
            if i["snapshot_id"] is not None  # a snapshot removed by `spacebot prune`
        ]
    else:
        latest = store.db.execute("select url, max(id) from snapshots group by url order by min(id)").fetchall()
        picks = [(url, sid, None, None) for url, sid in latest]
    rows = [_row(store, n, *pick) for n, pick in enumerate(picks, start=1)]
    return rows, sweep


def _row(
    store: Any,
    n: int,
    url: str,
    snapshot_id: int,
    index: int | None,
    score: float | None,
    history_limit: int | None = None,
) -> SpaceRow:
    """One space's row: its document, its history up to this snapshot (the last
    ``history_limit`` checks when given), its pictures."""
    document = store.document(snapshot_id)
    target, profile = document["target"], document["profile"]
    failing = sorted({f["item"] for f in document["findings"] if f["severity"] == "fail"})
    earlier = [r for r in store.snapshots(url) if r["id"] <= snapshot_id]
    if history_limit is not None:
        earlier = earlier[-history_limit:]
    history = [store.document(r["id"]) | {"_taken_at": r["taken_at"]} for r in earlier]
    png = store.blob(snapshot_id, "home.png")
    card_images = {}
    for video in document["videos"]:
        jpeg = store.latest_blob(url, card_image_role(video["url"]), snapshot_id)
        if jpeg:
            card_images[video["url"]] = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
    return SpaceRow(
        index=n,
        url=url,
        teacher=target.get("teacher") or profile.get("name") or "（未显示）",
        school=target.get("school") or profile.get("school") or "（未显示）",
        group=target.get("group") or "",
        subject=target.get("subject") or profile.get("subject") or "",
        verdict=document["verdict"],
        status=document["crawl"]["status"],
        visibility=document["visibility"]["value"],
        failing=failing,
        counts=document["counts"],
        deep_index=index,
        cohort_score=score,
        card=f"spaces/{n:04d}.html",
        document=document,
        history=history,
        screenshot="data:image/png;base64," + base64.b64encode(png).decode() if png else None,
        card_images=card_images,
    )


def _card_context(row: SpaceRow) -> dict[str, Any]:
    """What the card's body shows besides the row: the changes since the previous check and
    the trends of the counts."""
    previous = row.history[-2] if len(row.history) > 1 else None
    return {
        "row": row,
        "doc": row.document,
        "changes": changes_between(previous, row.document) if previous else [],
        "trends": {
            label: Markup(sparkline([h["counts"][key] for h in row.history], label))
            for key, label in (("resources", "资源"), ("articles", "文章"), ("photos", "照片"), ("videos", "视频"))
        },
        "previous_taken": previous["_taken_at"] if previous else None,
    }


def template_environment(*loaders: BaseLoader) -> Environment:
    """The reports' Jinja2 environment (autoescaping, the Chinese filters) with ``loaders``
    searched first: the self-check pages extend the same base and show the same card."""
    return _environment(*loaders)


def render_card_body(
    store: Any,
    snapshot_id: int,
    *,
    titles: dict[str, str],
    contact_note: str = "（已隐藏）",
) -> Markup:
    """The body of one space's report card (the same the reviewers' cards show), to place in
    another page (the self-check page); contacts are hidden."""
    row = store.db.table("snapshots").get(snapshot_id)
    space = _row(store, 1, row["url"], snapshot_id, None, None, history_limit=12)
    html = (
        _environment()
        .get_template("card_body.html.j2")
        .render(**_card_context(space), titles=titles, show_contacts=False, contact_note=contact_note)
    )
    return Markup(html)


def _schools(rows: list[SpaceRow]) -> list[dict[str, Any]]:
    by_school: dict[str, list[SpaceRow]] = defaultdict(list)
    for row in rows:
        by_school[row.school].append(row)
    out = []
    for school, members in sorted(by_school.items(), key=lambda kv: -len(kv[1])):
        opened = sum(1 for r in members if r.open)
        indexes = [r.deep_index for r in members if r.deep_index is not None]
        out.append(
            {
                "school": school,
                "teachers": len(members),
                "open": opened,
                "rate": opened / len(members),
                "meets_bar": opened / len(members) >= OPENING_BAR,
                "pass_rate": sum(1 for r in members if r.verdict == "pass") / len(members),
                "score": sum(indexes) / len(indexes) if indexes else None,
            }
        )
    return out


def _item_titles(rows: list[SpaceRow], rubric_titles: Callable[[str], dict[str, str]] | None) -> dict[str, str]:
    titles: dict[str, str] = {"deep_index": "深度应用指数（估算）", "visibility": "空间访问权限"}
    if rubric_titles is None:
        return titles
    for name in {r.document.get("rubric") for r in rows if r.document.get("rubric")}:
        titles.update(rubric_titles(str(name)))
    return titles


def _findings_table(rows: list[SpaceRow], titles: dict[str, str]) -> list[dict[str, Any]]:
    table = []
    for row in rows:
        for f in row.document["findings"]:
            table.append(
                {
                    "序号": row.index,
                    "教师": row.teacher,
                    "学校": row.school,
                    "组别": row.group,
                    "学科": row.subject,
                    "空间网址": row.url,
                    "结论": VERDICT_TEXT.get(row.verdict, row.verdict),
                    "评价项": titles.get(f["item"], f["item"]),
                    "评价项 id": f["item"],
                    "结果": SEVERITY_TEXT.get(f["severity"], f["severity"]),
                    "要求": f["required"],
                    "实测": f["measured"],
                    "说明": f["message"],
                    "佐证": "\n".join(f["evidence"]),
                }
            )
    return table


def _write_exports(
    rows: list[SpaceRow], titles: dict[str, str], out: Path, sweep: dict[str, Any] | None
) -> tuple[Path, Path, Path]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    table = _findings_table(rows, titles)
    headers = list(table[0]) if table else ["序号", "教师", "空间网址", "评价项", "结果"]
    csv_path = out / "findings.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM makes Excel read UTF-8
        writer = csv.DictWriter(handle, fieldnames=headers)
        writer.writeheader()
        writer.writerows(table)
    book = Workbook()
    sheet = book.active
    sheet.title = "评价结果"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in table:
        sheet.append([record[h] for h in headers])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in zip("ABCDEFGHIJKLMN", (6, 10, 18, 8, 8, 40, 10, 16, 18, 10, 30, 24, 60, 40), strict=False):
        sheet.column_dimensions[column].width = width
    xlsx_path = out / "findings.xlsx"
    book.save(xlsx_path)
    json_path = out / "sweep.json"
    json_path.write_text(
        json.dumps(
            {
                "schema": "spacebot/sweep-1",
                "sweep": sweep,
                "cost": sweep_cost([r.document for r in rows]),
                "spaces": [
                    {
                        "url": r.url,
                        "teacher": r.teacher,
                        "school": r.school,
                        "group": r.group,
                        "verdict": r.verdict,
                        "deep_index": r.deep_index,
                        "cohort_score": r.cohort_score,
                        "document": r.document,
                    }
                    for r in rows
                ],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    return csv_path, xlsx_path, json_path


def write_report(
    store: Any,
    out: str | Path,
    *,
    sweep_id: int | None = None,
    show_contacts: bool = False,
    rubric_titles: Callable[[str], dict[str, str]] | None = None,
) -> ReportFiles:
    """Write the dashboard, the report cards and the exports into ``out``.

    ``rubric_titles(name)`` gives the Chinese titles of a rubric's items (item id → title);
    without it, items are shown by id.
    """
    out = Path(out)
    (out / "spaces").mkdir(parents=True, exist_ok=True)
    rows, sweep = _rows(store, sweep_id)
    titles = _item_titles(rows, rubric_titles)
    env = _environment()
    verdicts = Counter(r.verdict for r in rows)
    items = Counter(i for r in rows for i in r.failing)
    checked = sum(1 for r in rows if r.status == "ok")
    schools = _schools(rows)
    charts = {
        "verdicts": Markup(
            bar_chart(
                [(VERDICT_TEXT[v], verdicts.get(v, 0)) for v in ("pass", "review", "fail", "error")],
                "结论分布",
                unit="个",
            )
        ),
        "failing_items": Markup(
            bar_chart(
                [(titles.get(i, i), round(100 * n / max(checked, 1))) for i, n in items.most_common(10)],
                "各评价项不合格率",
                unit="%",
            )
        ),
        "schools": Markup(
            bar_chart([(s["school"], round(100 * s["pass_rate"])) for s in schools[:12]], "各校合格率", unit="%")
        ),
    }
    failures = [r for r in rows if r.verdict == "error"]
    cards = []
    for position, row in enumerate(rows):
        html = env.get_template("card.html.j2").render(
            **_card_context(row),
            titles=titles,
            show_contacts=show_contacts,
            previous_card=rows[position - 1].card.split("/")[-1] if position else None,
            next_card=rows[position + 1].card.split("/")[-1] if position + 1 < len(rows) else None,
        )
        path = out / row.card
        path.write_text(html, encoding="utf-8")
        cards.append(path)
    csv_path, xlsx_path, json_path = _write_exports(rows, titles, out, sweep)
    index = out / "index.html"
    index.write_text(
        env.get_template("index.html.j2").render(
            rows=rows,
            sweep=sweep,
            verdicts=verdicts,
            charts=charts,
            failures=failures,
            schools=schools,
            titles=titles,
            opening_bar=OPENING_BAR,
        ),
        encoding="utf-8",
    )
    return ReportFiles(index, cards, csv_path, xlsx_path, json_path)


def sweep_cost(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """What the sweep cost per space (from each document's ``crawl``): requests of every
    kind, browser renders and bytes received, averaged over the spaces that were visited."""
    crawls = [d.get("crawl") or {} for d in documents]
    counted = [c for c in crawls if "requests" in c]
    n = len(counted)
    return {
        "spaces": n,
        "requests_per_space": round(sum(c["requests"] for c in counted) / n, 1) if n else None,
        "renders_per_space": round(sum(c.get("renders", 0) for c in counted) / n, 2) if n else None,
        "bytes_per_space": round(sum(c.get("bytes", 0) for c in counted) / n) if n else None,
        "max_requests": max((c["requests"] for c in counted), default=None),
    }
