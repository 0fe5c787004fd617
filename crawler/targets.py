"""Campaign target lists: the 推荐汇总表 xlsx of seed 001, a CSV, or a text file of URLs.

The xlsx header row is found by its labels (县（市、区）, 组别, 学科, 姓名, 所在学校, 空间网址 …),
wherever the bureau put it under its title rows; 组别 sets the school level. CSV may be
UTF-8 (with or without BOM) or GBK and needs a ``url`` or ``空间网址`` column. Rows without
a usable URL and duplicates are reported with their row numbers; the good rows go on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zipfile import BadZipFile

from errors import TargetError

from .model import Target
from .transport.ssrf import AddressPolicy
from .transport.urls import check_target_url

__all__ = ["BadRow", "TargetList", "read_targets"]

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
Access = tuple[bool, AddressPolicy | None]  # (allow_private, policy) for checking each row's URL


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str


@dataclass
class TargetList:
    targets: list[Target] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)

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


def _collect(
    rows: Sequence[tuple[int, Sequence[object]]],
    header_row: int | None,
    columns: dict[str, int],
    access: Access,
    source: str,
) -> TargetList:
    if "url" not in columns:
        raise TargetError(f"{source} 中找不到空间网址列：请在表头写“空间网址”或“url”")
    result = TargetList()
    seen: dict[str, int] = {}
    for number, cells in rows:
        if header_row is not None and number <= header_row:
            continue
        values = {
            k: (str(cells[i]).strip() if i < len(cells) and cells[i] is not None else "") for k, i in columns.items()
        }
        if not any(str(c or "").strip() for c in cells):
            continue  # blank row
        url = values["url"]
        if not url:
            result.bad_rows.append(BadRow(number, "没有空间网址"))
            continue
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url) and re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/|\?|$)", url):
            url = "http://" + url  # forms often hold "www.x.cn/space/1"
        try:
            normalized = check_target_url(url, allow_private=access[0], policy=access[1])
        except TargetError as exc:
            result.bad_rows.append(BadRow(number, str(exc).split("：")[0] + f"（{url[:60]}）"))
            continue
        if normalized in seen:
            result.bad_rows.append(BadRow(number, f"与第 {seen[normalized]} 行重复"))
            continue
        seen[normalized] = number
        group = next((g for word, g in _GROUPS.items() if word in values.get("group", "")), None)
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


def _read_xlsx(path: Path, access: Access) -> TargetList:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError, TypeError, EOFError) as exc:
        raise TargetError(
            f"无法读取 Excel 文件 {path}：{exc.__class__.__name__}；请确认它是 .xlsx 格式且未损坏"
        ) from None
    try:
        for sheet in workbook.worksheets:
            rows = [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True, max_row=_MAX_ROWS), start=1)]
            for number, cells in rows[:30]:
                columns = _header_map(cells)
                if "url" in columns:
                    return _collect(rows, number, columns, access, f"{path}（工作表“{sheet.title}”）")
    finally:
        workbook.close()
    raise TargetError(
        f"{path} 中找不到含“空间网址”的表头行："
        "请使用推荐汇总表的表头（县（市、区）、组别、学科、姓名、所在学校、空间网址）"
    )


def _decode(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TargetError(f"{path} 的文字编码无法识别：请另存为 UTF-8 或 GBK 编码")


def _read_csv(path: Path, text: str, access: Access) -> TargetList:
    try:
        rows = [(n, list(r)) for n, r in enumerate(csv.reader(io.StringIO(text)), start=1)]
    except csv.Error as exc:
        raise TargetError(f"{path} 不是有效的 CSV 文件：{exc}") from None
    if not rows:
        raise TargetError(f"{path} 是空文件：请给出含“空间网址”或“url”列的 CSV")
    for number, cells in rows[:10]:
        columns = _header_map(cells)
        if "url" in columns:
            return _collect(rows, number, columns, access, str(path))
    raise TargetError(f"{path} 中找不到“url”或“空间网址”列：请在第一行写表头")


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
    if suffix in (".xlsx", ".xlsm"):
        result = _read_xlsx(path, access)
    elif suffix == ".xls":
        raise TargetError(f"{path} 是旧版 .xls 格式：请在 Excel/WPS 中另存为 .xlsx 后重试")
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TargetError(f"无法读取 {path}：{exc}") from None
        if data.startswith(b"PK\x03\x04"):
            result = _read_xlsx(path, access)
        else:
            text = _decode(data, path)
            result = (
                _read_csv(path, text, access)
                if suffix == ".csv" or "," in text.split("\n", 1)[0]
                else _read_text(path, text, access)
            )
    if not result.targets:
        detail = f"（{result.bad_rows_message()}）" if result.bad_rows else ""
        raise TargetError(f"{path} 中没有可检查的空间网址{detail}")
    return result
