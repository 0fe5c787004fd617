"""Markup atoms of one platform: classes, wrappers, dates, list rows, lists and pagers.

Rows are rendered from a dict of display strings. The same renderer, fed sentinels instead
of values, yields the template the platform's JavaScript uses for rows it adds later
(加载更多, infinite scroll, SPA lists), so script-built rows look exactly like server rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from html import escape

from .model import Style
from .vocab import Vocab

__all__ = ["Markup", "esc", "fmt_date"]


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def fmt_date(day: date, clock: tuple[int, int, int], fmt: str) -> str:
    if fmt == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    if fmt == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if fmt == "dot":
        return day.strftime("%Y.%m.%d")
    if fmt == "year_heading":
        return day.strftime("%m-%d")
    if fmt == "datetime":
        return f"{day.isoformat()} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}"
    return day.isoformat()


class Markup:
    """Per-platform structure choices (fixed when drawn) and per-page noise (``rng``)."""

    def __init__(self, style: Style, vocab: Vocab, rng: random.Random) -> None:
        self.s, self.v = style, vocab
        self.rng = rng
        self.meta_order = rng.sample(["orig", "cat", "date", "fmt", "size", "lock", "noise"], 7)
        self.date_prefix = rng.choice(("", "发布于 ", "时间：", "上传时间："))
        self.cat_style = rng.choice(("bracket", "plain", "colon"))
        self.fmt_style = rng.choice(("upper", "lower", "dot", "colon"))
        self.size_prefix = rng.choice(("", "大小："))
        self.brackets = rng.choice(("【】", "[]"))
        self.title_tag = rng.choice(("h2", "h3", "h4", "span", "strong", "div"))
        self.more_text = rng.choice(("更多", "更多>>", "more", "查看全部", "更多»"))
        self.trunc = rng.randint(8, 14)
        self.noise = rng.random() < 0.5
        self.lock_style = rng.choice(("text", "icon"))
        self.detail_tag = rng.choice(("h1", "h2", "h3", "div"))
        self.th = {
            "title": rng.choice(("标题", "名称", "资源名称")),
            "date": rng.choice(("日期", "发布时间", "上传时间")),
            "cat": rng.choice(("分类", "栏目")),
            "fmt": "格式",
            "size": "大小",
            "orig": "类型",
            "noise": "浏览",
            "lock": "权限",
        }

    # -- classes and wrappers -----------------------------------------------------------------
    def c(self, role: str, extra: str = "") -> str:
        words = [self.v.w(role)]
        if self.rng.random() < 0.25:
            words.append(self.v.noise(self.rng))
        if extra:
            words.append(extra)
        return f'class="{" ".join(words)}"'

    def wrap(self, inner: str, depth: int | None = None) -> str:
        depth = self.rng.randint(0, self.s.wrap_depth) if depth is None else depth
        for _ in range(depth):
            tag = self.rng.choice(("div", "div", "section", "div"))
            inner = f"<{tag} {self.c('w' + str(self.rng.randint(1, 6)))}>{inner}</{tag}>"
        return inner

    # -- display strings ------------------------------------------------------------------------
    def short(self, title: str) -> str:
        return title if len(title) <= self.trunc else title[: self.trunc] + "…"

    def cat_text(self, label: str) -> str:
        if self.cat_style == "bracket":
            return f"[{label}]"
        return f"分类：{label}" if self.cat_style == "colon" else label

    def fmt_text(self, ext: str) -> str:
        return {"upper": ext.upper(), "lower": ext, "dot": f".{ext}", "colon": f"格式：{ext.upper()}"}[self.fmt_style]

    def orig_word(self, original: bool) -> str:
        return "原创" if original else "转载"

    # -- rows -------------------------------------------------------------------------------------
    def title_part(self, d: dict[str, str], place: str) -> str:
        link = d["link"]
        if place == "attr_truncated":
            return f'<a {link} title="{d["title"]}" {self.c("ttl")}>{d["short"]}</a>'
        if place == "caption":
            return f'<a {link} {self.c("thumb")}><img src="{d["thumb"]}" alt=""></a><p {self.c("cap")}>{d["title"]}</p>'
        if place == "alt":
            return f'<a {link} {self.c("thumb")}><img src="{d["thumb"]}" alt="{d["title"]}"></a>'
        badge = d.get("badge")
        if badge == "element":  # a mark of its own inside the link, before or after the title
            word = self.rng.choice(("置顶", "推荐", "NEW", "热门", "精华"))
            mark = f"<span {self.c('badge')}>{word}</span>"
            inner = f"{mark}{d['title']}" if self.rng.random() < 0.6 else f"{d['title']}{mark}"
            return f"<a {link} {self.c('ttl')}>{inner}</a>"
        if badge == "bracket":
            mark = self.rng.choice(("[置顶]", "【推荐】", "[荐]", "【置顶】"))
            return f"<a {link} {self.c('ttl')}>{mark}{d['title']}</a>"
        return f"<a {link} {self.c('ttl')}>{d['title']}</a>"

    def parts(self, d: dict[str, str]) -> dict[str, str]:
        """The meta parts present in ``d``, as HTML (table cells hold them bare)."""
        out: dict[str, str] = {}
        if "orig" in d and self.s.original_display in ("text", "icon"):
            if self.s.original_display == "text":
                out["orig"] = f"<span {self.c('orig')}>{d['orig']}</span>"
            else:
                out["orig"] = f'<i {self.c("oricon")} title="{d["orig"]}"></i>'
        if "cat" in d:
            out["cat"] = f"<span {self.c('cat')}>{d['cat']}</span>"
        if "date" in d:
            out["date"] = f"<span {self.c('date')}>{self.date_prefix}{d['date']}</span>"
        if "fmt" in d:
            out["fmt"] = f"<span {self.c('fmt')}>{d['fmt']}</span>"
        if "size" in d:
            out["size"] = f"<span {self.c('size')}>{self.size_prefix}{d['size']}</span>"
        if d.get("lock"):
            out["lock"] = d["lock"]
        if self.noise and "views" in d:
            out["noise"] = f"<span {self.c('views')}>浏览({d['views']})</span>"
        return out

    def row(self, d: dict[str, str], place: str) -> str:
        title = self.title_part(d, place)
        if "orig" in d and self.s.original_display == "bracket":
            title = f"{self.brackets[0]}{d['orig']}{self.brackets[1]}{title}"
        parts = self.parts(d)
        shape = self.s.list_shape
        if shape == "table":
            cells = [f"<td {self.c('tdt')}>{title}</td>"]
            if "orig" in d and self.s.original_display == "column":
                cells.append(f"<td>{d['orig']}</td>")
            for key in self.meta_order:
                if key in parts:
                    cells.append(f"<td>{parts[key]}</td>")
            return f"<tr {self.c('tr')}>{''.join(cells)}</tr>"
        meta = " ".join(parts[key] for key in self.meta_order if key in parts)
        if shape == "dl":
            return f"<dt {self.c('dt')}>{title}</dt><dd {self.c('dd')}>{meta}</dd>"
        if shape == "cards":
            return f"<div {self.c('cardish')}><div {self.c('ct')}>{title}</div><div {self.c('cm')}>{meta}</div></div>"
        return f"<li {self.c('li')}>{title} {meta}</li>"

    def table_head(self, d: dict[str, str]) -> str:
        heads = [self.th["title"]]
        if "orig" in d and self.s.original_display == "column":
            heads.append(self.th["orig"])
        parts = self.parts(d)
        heads += [self.th[key] for key in self.meta_order if key in parts]
        return "<tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"

    def year_row(self, year: str, columns: int) -> str:
        shape = self.s.list_shape
        if shape == "table":
            return f'<tr {self.c("yr")}><td colspan="{columns}"><b>{year}年</b></td></tr>'
        if shape == "cards":
            return f"<div {self.c('yr')}><b>{year}年</b></div>"
        return f"<li {self.c('yr')}><b>{year}年</b></li>"

    def list_open(self, list_id: str) -> tuple[str, str]:
        shape = self.s.list_shape
        tag = {"table": "table", "cards": "div", "dl": "dl"}.get(shape, "ul")
        return f'<{tag} id="{list_id}" {self.c("lst")}>', f"</{tag}>"

    def listing(
        self, rows: list[dict[str, str]], place: str, list_id: str, pager_row: str = "", empty: str = "暂无内容"
    ) -> str:
        """A whole list; ``rows`` carry ``year`` when dates sit under year headings."""
        if not rows:
            return f"<p {self.c('empty')}>{empty}</p>"
        opening, closing = self.list_open(list_id)
        body: list[str] = []
        if self.s.list_shape == "table":
            body.append(self.table_head(rows[0]))
        columns = self.table_head(rows[0]).count("<th>")
        year = None
        for d in rows:
            if d.get("year") and d["year"] != year:
                year = d["year"]
                body.append(self.year_row(year, columns))
            body.append(self.row(d, place))
        if pager_row and self.s.list_shape == "table":
            body.append(f'<tr {self.c("pgrow")}><td colspan="{columns}">{pager_row}</td></tr>')
            pager_row = ""
        return opening + "".join(body) + closing + pager_row

    # -- pagers -----------------------------------------------------------------------------------
    def pager(self, page: int, pages: int, total: int, url_of: Callable[[int], str]) -> str:
        """The pager of a server listing with page links (goPage hrefs for ``gopage``)."""
        kind = self.s.pager
        if pages <= 1 and kind not in ("total_pages", "fraction"):
            return ""

        def href(n: int) -> str:
            return f"javascript:goPage({n})" if kind == "gopage" else esc(url_of(n))

        bits: list[str] = []
        if kind in ("total_pages", "gopage"):
            bits.append(f"<span {self.c('pginfo')}>共 {pages} 页</span>")
            if self.s.pager_items:
                bits.append(f"<span>共 {total} 条</span>")
        if kind == "fraction":
            bits.append(f"<span {self.c('pginfo')}>第 {page}/{pages} 页</span>")
        if kind != "numbers" and page > 1:
            bits.append(f'<a href="{href(page - 1)}" {self.c("pgprev")}>上一页</a>')
        if kind in ("total_pages", "numbers", "gopage"):
            for n in range(1, pages + 1):
                bits.append(f"<span {self.c('pgcur')}>{n}</span>" if n == page else f'<a href="{href(n)}">{n}</a>')
        if kind != "numbers" and page < pages:
            bits.append(f'<a href="{href(page + 1)}" {self.c("pgnext")}>下一页</a>')
        script = ""
        if kind == "gopage":
            base = url_of(999999).replace("999999", "'+n+'")
            script = f"<script>function goPage(n){{location.href='{base}'}}</script>"
        return f"<div {self.c('pg')}>{' '.join(bits)}</div>{script}"
