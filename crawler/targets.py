"""Campaign target lists: the 推荐汇总表 xlsx of seed 001, a CSV, or a text file of URLs.

The header row of an xlsx or an old .xls is found by its labels (县（市、区）, 组别, 学科,
姓名, 所在学校, 空间网址 …), wherever the bureau put it under its title rows; 组别 sets the
school level. A cell that shows "点击访问" gives the address of its hyperlink (or of its
``HYPERLINK()`` formula). CSV may be UTF-8 (with or without BOM), GBK, or Excel's
"Unicode 文本" (UTF-16, tab-separated) and needs a ``url`` or ``空间网址`` column.

A cell's address is read the way a person reads it: full-width characters (：／？＆＝) are
folded, surrounding words ("空间网址：http://…") are dropped, several addresses in one cell
are each a target (with a notice), and two rows that differ only in the scheme, the case
of the host or a trailing slash are the same space. Rows without a usable URL and
duplicates are reported with their row numbers; the good rows go on.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from errors import TargetError

from .model import Target
from .transport.ssrf import AddressPolicy
from .transport.urls import check_target_url

__all__ = ["BadRow", "TargetList", "read_targets", "single_url", "urls_in_cell"]

_COLUMNS: dict[str, tuple[str, ...]] = {
    "url": ("空间网址", "空间地址", "网址", "url", "链接", "空间链接"),
    "teacher": ("姓名", "教师姓名", "教师", "teacher", "name"),
    "school": ("所在学校", "学校", "单位", "school"),
    "group": ("组别", "学段", "group"),
    "subject": ("学科", "任教学科", "subject"),
    "county": ("县（市、区）", "县(市、区)", "县区", "县（区）", "区县"),
}
_GROUPS = {"幼儿园": "幼儿园", "学前": "幼儿园", "小学": "小学", "初中": "初中", "高中": "高中", "中学": "初中"}
_MAX_ROWS = 200_000
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (compound document)
Access = tuple[bool, AddressPolicy | None]  # (allow_private, policy) for checking each row's URL


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str


@dataclass
class TargetList:
    targets: list[Target] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    notices: list[BadRow] = field(default_factory=list)  # rows used, with something to tell

    def notices_message(self, limit: int = 20) -> str:
        shown = "；".join(f"第 {b.row} 行：{b.reason}" for b in self.notices[:limit])
        more = f"；另有 {len(self.notices) - limit} 行" if len(self.notices) > limit else ""
        return f"{len(self.notices)} 行需要留意（{shown}{more}）"

    def bad_rows_message(self, limit: int = 20) -> str:
        shown = "；".join(f"第 {b.row} 行：{b.reason}" for b in self.bad_rows[:limit])
        more = f"；另有 {len(self.bad_rows) - limit} 行" if len(self.bad_rows) > limit else ""
        return f"{len(self.bad_rows)} 行无法使用，已跳过（{shown}{more}）"


def _label(value: object) -> str:
    return re.sub(r"\s+", "", str(value or "")).lower()


def _header_map(cells: Sequence[object]) -> dict[str, int]:
    labels = [_label(c) for c in cells]
    found: dict[str, int] = {}
    for key, words in _COLUMNS.items():
        for index, label in enumerate(labels):
            if label and any(label == _label(w) for w in words):
                found.setdefault(key, index)
    return found


_STOP = r"\s\x00-\x20\x7f\"'<>()\[\]{}|\\^`,;，。；、！？“”‘’（）【】《》"  # ends an address written in a sentence
_URL_RE = re.compile(rf"https?://[^{_STOP}]+", re.IGNORECASE)
_BARE_RE = re.compile(
    r"(?<![\w.@/-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:[a-z]{2,}|\d{1,3})(?::\d{1,5})?)"
    rf"((?:[/?#][^{_STOP}]*)?)",
    re.IGNORECASE | re.ASCII,
)
_IPV4_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}(:\d+)?$")
_TRAILING = ".,;:!?'\")]}>"
_HYPERLINK_RE = re.compile(r'^=\s*HYPERLINK\(\s*"([^"]+)"', re.IGNORECASE)


def urls_in_cell(text: str) -> list[str]:
    """The addresses a person reads in one form cell, in order, each at most once.

    ``"空间网址：http://x.cn/s/1"`` → ``["http://x.cn/s/1"]``; full-width ``：／？＆＝`` are folded
    first; an address without a scheme (``www.x.cn/s/1``, ``10.2.3.4:8080/s``) gets ``http://``.
    Text that holds no address gives ``[]``; a cell with a scheme other than http(s) gives
    that text unchanged so that the caller can say why it is refused.
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    whole = folded.rstrip(".,;:!?'\"。，；、！？】》")
    while whole.endswith(")") and whole.count(")") > whole.count("("):
        whole = whole[:-1]  # "…/space(1)" keeps its bracket; a closing one around the cell goes
    if re.fullmatch(r"https?://[^\s\x00-\x20\x7f]+", whole, re.IGNORECASE) and whole.lower().count("://") == 1:
        return [whole]  # one address alone in its cell: commas, brackets, semicolons are part of it
    found = [m.group(0).rstrip(_TRAILING) for m in _URL_RE.finditer(folded)]
    if not found:
        for match in _BARE_RE.finditer(folded):
            host, rest = match.group(1), match.group(2)
            last = host.split(":")[0].rsplit(".", 1)[-1]
            if last.isdigit() and not _IPV4_RE.match(host):
                continue  # "3.5" or "1.2.3" is a number, not a host
            if not rest and not host.lower().startswith("www.") and not _IPV4_RE.match(host):
                if folded != match.group(0):
                    continue  # a bare "abc.com" inside a sentence is too weak a sign
            found.append("http://" + (host + rest).rstrip(_TRAILING))
    if not found and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", folded):
        return [folded.split()[0]]  # "javascript:…", "ftp://…": refused with the reason by the caller
    unique: list[str] = []
    for url in found:
        if url not in unique:
            unique.append(url)
    return unique


def single_url(text: str) -> str:
    """The one address in what a teacher pasted (``"空间网址：http：／／x.cn／s／1"``).

    Text without a recognisable address is returned as it is, so that the URL check says
    what is wrong with it; several addresses are a :class:`TargetError`.
    """
    found = urls_in_cell(text)
    if len(found) > 1:
        raise TargetError(f"这段文字里有 {len(found)} 个网址：一次只能检查一个空间，请只保留一个网址", text)
    return found[0] if found else text


def _same_space_key(url: str) -> str:
    """Two rows are one space when they differ only in scheme, host case or a trailing slash
    (the fragment counts: ``/#/space/1`` and ``/#/space/2`` are two spaces of an app)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port not in (None, 80, 443) else None
    path = parts.path.rstrip("/")
    return f"{host}{f':{port}' if port else ''}{path}?{parts.query}#{parts.fragment}"


def _collect(
    rows: Sequence[tuple[int, Sequence[object]]],
    header_row: int | None,
    columns: dict[str, int],
    access: Access,
    source: str,
    links: Mapping[tuple[int, int], str] | None = None,
) -> TargetList:
    if "url" not in columns:
        raise TargetError(f"{source} 中找不到空间网址列：请在表头写“空间网址”或“url”")
    result = TargetList()
    seen: dict[str, int] = {}
    url_column = columns["url"]
    for number, cells in rows:
        if header_row is not None and number <= header_row:
            continue
        values = {
            k: (str(cells[i]).strip() if i < len(cells) and cells[i] is not None else "") for k, i in columns.items()
        }
        if not any(str(c or "").strip() for c in cells):
            continue  # blank row
        shown = values["url"]
        urls = urls_in_cell(shown)
        link = (links or {}).get((number, url_column))
        if not urls and link:
            urls = urls_in_cell(link)  # "点击访问" whose hyperlink holds the address
        if not urls:
            if shown:
                result.bad_rows.append(BadRow(number, f"单元格内容不是网址（{shown[:30]}），也没有超链接"))
            else:
                result.bad_rows.append(BadRow(number, "没有空间网址"))
            continue
        if len(urls) > 1:
            result.notices.append(BadRow(number, f"一个单元格里有 {len(urls)} 个网址，已分别检查"))
        group = next((g for word, g in _GROUPS.items() if word in values.get("group", "")), None)
        for url in urls:
            try:
                normalized = check_target_url(url, allow_private=access[0], policy=access[1])
            except TargetError as exc:
                result.bad_rows.append(BadRow(number, str(exc).split("：")[0] + f"（{url[:60]}）"))
                continue
            key = _same_space_key(normalized)
            if key in seen:
                result.bad_rows.append(BadRow(number, f"与第 {seen[key]} 行重复"))
                continue
            seen[key] = number
            result.targets.append(
                Target(
                    url=normalized,
                    teacher=values.get("teacher") or None,
                    school=values.get("school") or None,
                    group=group,
                    subject=values.get("subject") or None,
                )
            )
    return result


def _find_header(
    rows: Sequence[tuple[int, Sequence[object]]], source: str, access: Access, links: Mapping[tuple[int, int], str]
) -> TargetList | None:
    for number, cells in rows[:30]:
        columns = _header_map(cells)
        if "url" in columns:
            return _collect(rows, number, columns, access, source, links)
    return None


_NO_HEADER = (
    "中找不到含“空间网址”的表头行：请使用推荐汇总表的表头（县（市、区）、组别、学科、姓名、所在学校、空间网址）"
)


Sheet = tuple[str, list[tuple[int, Sequence[object]]], dict[tuple[int, int], str]]  # title, rows, links


def _first_with_header(path: Path, sheets: Iterator[Sheet], access: Access, kind: str) -> TargetList:
    """The targets of the first sheet that has a header row. Parsing a damaged file can
    fail anywhere inside the reading library, so any failure there is the file's fault."""
    while True:
        try:
            sheet = next(sheets, None)
        except Exception as exc:  # noqa: BLE001 - see above: the library's parse of a user file
            advice = "请确认文件未损坏，或在 Excel/WPS 中另存为 .xlsx 后重试"
            raise TargetError(f"无法读取{kind} {path}：{exc.__class__.__name__}；{advice}") from None
        if sheet is None:
            raise TargetError(f"{path}{_NO_HEADER}")
        title, rows, links = sheet
        found = _find_header(rows, f"{path}（工作表“{title}”）", access, links)
        if found is not None:
            return found


def _xlsx_sheets(path: Path) -> Iterator[Sheet]:
    from openpyxl import load_workbook

    # Not read-only: hyperlinks ("点击访问" cells) are only parsed in the full mode.
    workbook = load_workbook(path, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet, formula_sheet in zip(workbook.worksheets, formulas.worksheets, strict=False):
            rows: list[tuple[int, Sequence[object]]] = []
            links: dict[tuple[int, int], str] = {}
            for number, cells in enumerate(sheet.iter_rows(max_row=_MAX_ROWS), start=1):
                rows.append((number, [cell.value for cell in cells]))
                for index, cell in enumerate(cells):
                    target = getattr(getattr(cell, "hyperlink", None), "target", None)
                    if target:
                        links[(number, index)] = str(target)
            for number, values in enumerate(formula_sheet.iter_rows(values_only=True, max_row=_MAX_ROWS), start=1):
                for index, value in enumerate(values):
                    match = _HYPERLINK_RE.match(value) if isinstance(value, str) else None
                    if match:  # =HYPERLINK("http://…","点击访问"), as WPS writes it
                        links.setdefault((number, index), match.group(1))
            yield sheet.title, rows, links
    finally:
        workbook.close()
        formulas.close()


def _xls_sheets(path: Path) -> Iterator[Sheet]:
    """Excel 97-2003 workbooks, still what many bureau forms are."""
    import xlrd

    workbook = xlrd.open_workbook(str(path), on_demand=True)
    try:
        for index in range(workbook.nsheets):
            sheet = workbook.sheet_by_index(index)
            rows: list[tuple[int, Sequence[object]]] = [
                (number + 1, [_xls_value(v) for v in sheet.row_values(number)])
                for number in range(min(sheet.nrows, _MAX_ROWS))
            ]
            links = {
                (row + 1, column): str(link.url_or_path)
                for (row, column), link in getattr(sheet, "hyperlink_map", {}).items()
                if getattr(link, "url_or_path", None)
            }
            yield sheet.name, rows, links
    finally:
        workbook.release_resources()


def _xls_value(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # xlrd gives every number as float: 序号 1.0 is 1
    return value


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode 文本"
    elif len(data) >= 4 and data[1:20:2].count(0) > 5 and data[0:20:2].count(0) == 0:
        encodings = ("utf-16-le",)  # the same without its byte-order mark
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TargetError(f"{path} 的文字编码无法识别：请另存为 UTF-8、GBK 或 Unicode 文本")


def _read_csv(path: Path, text: str, access: Access) -> TargetList:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        rows = [(n, list(r)) for n, r in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]
    except csv.Error as exc:
        raise TargetError(f"{path} 不是有效的 CSV 文件：{exc}") from None
    if not rows:
        raise TargetError(f"{path} 是空文件：请给出含“空间网址”或“url”列的 CSV")
    found = _find_header(rows, str(path), access, {})
    if found is None:
        raise TargetError(f"{path} 中找不到“url”或“空间网址”列：请在第一行写表头")
    return found


def _read_text(path: Path, text: str, access: Access) -> TargetList:
    rows = [
        (n, [line.strip()])
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.strip().startswith("#")
    ]
    return _collect(rows, None, {"url": 0}, access, str(path))


def read_targets(path: str | Path, *, allow_private: bool = False, policy: AddressPolicy | None = None) -> TargetList:
    """The targets in a file; :class:`TargetError` when nothing in it can be used."""
    path = Path(path)
    access: Access = (allow_private, policy)
    if not path.exists():
        raise TargetError(f"找不到目标文件 {path}：请检查路径")
    if path.is_dir():
        raise TargetError(f"{path} 是目录：请给出 .xlsx、.csv 或 .txt 文件")
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise TargetError(f"无法读取 {path}：{exc}") from None
    # By content first: a form saved as .xls is often really an xlsx, and the reverse.
    if magic.startswith(b"PK\x03\x04") or (suffix in (".xlsx", ".xlsm") and not magic.startswith(_OLE2)):
        result = _first_with_header(path, _xlsx_sheets(path), access, " Excel 文件")
    elif magic.startswith(_OLE2) or suffix == ".xls":
        if suffix == ".xls" and not magic.startswith(_OLE2) and magic.lstrip().startswith(b"<"):
            raise TargetError(f"{path} 实际是网页表格而不是 Excel 文件：请在 Excel/WPS 中打开后另存为 .xlsx 再试")
        result = _first_with_header(path, _xls_sheets(path), access, " Excel 97-2003 文件")
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TargetError(f"无法读取 {path}：{exc}") from None
        text = _decode(data, path)
        first = text.split("\n", 1)[0]
        result = (
            _read_csv(path, text, access)
            if suffix == ".csv" or "," in first or "\t" in first
            else _read_text(path, text, access)
        )
    if not result.targets:
        detail = f"（{result.bad_rows_message()}）" if result.bad_rows else ""
        raise TargetError(f"{path} 中没有可检查的空间网址{detail}")
    return result
