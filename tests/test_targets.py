"""Target files as bureaus really fill them: hyperlinked "点击访问" cells, old .xls, Excel's
"Unicode 文本", full-width and wordy addresses, duplicates written differently."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import xlwt
from openpyxl import Workbook

from crawler import read_targets, single_url
from crawler.targets import urls_in_cell
from errors import TargetError
from tests.farm.bulk import start_bulk

_FULL_WIDTH = str.maketrans({":": "：", "/": "／", "?": "？", "&": "＆", "=": "＝"})


def _header() -> list[str]:
    return ["序号", "县（市、区）", "组别", "学科", "姓名", "所在学校", "空间网址"]


def test_xlsx_hyperlinked_cells_give_their_address(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["优秀教师网络空间推荐汇总表"])
    sheet.append(_header())
    sheet.append([1, "鲤城区", "小学", "数学", "林晓梅", "实验小学", "点击访问"])
    sheet["G3"].hyperlink = "http://127.0.0.1:9/space/1"  # how Excel/WPS store an inserted link
    sheet.append(
        [2, "鲤城区", "初中", "英语", "刘洋", "思源学校", '=HYPERLINK("http://127.0.0.1:9/space/2","点击访问")']
    )
    sheet.append([3, "鲤城区", "高中", "物理", "陈静", "一中", "点击访问"])  # no link at all
    path = tmp_path / "推荐汇总表.xlsx"
    book.save(path)
    result = read_targets(path, allow_private=True)
    assert [(t.teacher, t.group, t.url) for t in result.targets] == [
        ("林晓梅", "小学", "http://127.0.0.1:9/space/1"),
        ("刘洋", "初中", "http://127.0.0.1:9/space/2"),
    ]
    assert [(b.row, b.reason) for b in result.bad_rows] == [(5, "单元格内容不是网址（点击访问），也没有超链接")]


def test_addresses_written_the_way_people_write_them(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(_header())
    rows = [
        "http://127.0.0.1:9/space?id=1&tab=home".translate(_FULL_WIDTH),  # typed with a Chinese IME
        "空间网址：http://127.0.0.1:9/space/2（已公开）",
        "http://127.0.0.1:9/space/3\nhttp://127.0.0.1:9/space/4",  # two spaces in one cell
        "https://127.0.0.1:9/space/2/",  # row 3 again: scheme and trailing slash differ
        "HTTP://127.0.0.1:9/SPACE/5",
        "127.0.0.1:9/space/3",  # row 4 again, without a scheme
    ]
    for number, url in enumerate(rows, start=1):
        sheet.append([number, "丰泽区", "小学", "语文", f"教师{number}", "某校", url])
    path = tmp_path / "t.xlsx"
    book.save(path)
    result = read_targets(path, allow_private=True)
    assert [t.url for t in result.targets] == [
        "http://127.0.0.1:9/space?id=1&tab=home",
        "http://127.0.0.1:9/space/2",
        "http://127.0.0.1:9/space/3",
        "http://127.0.0.1:9/space/4",
        "http://127.0.0.1:9/SPACE/5",
    ]
    assert [t.teacher for t in result.targets][2:4] == ["教师3", "教师3"]
    assert [(b.row, b.reason) for b in result.bad_rows] == [(5, "与第 3 行重复"), (7, "与第 4 行重复")]
    assert [(b.row, b.reason) for b in result.notices] == [(4, "一个单元格里有 2 个网址，已分别检查")]
    assert "第 4 行：一个单元格里有 2 个网址" in result.notices_message()


def test_old_xls_form_is_read(tmp_path: Path) -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("推荐汇总表")
    sheet.write(0, 0, "2022年优秀教师网络学习空间推荐汇总表")
    for column, label in enumerate(_header()):
        sheet.write(2, column, label)
    sheet.write_merge(1, 1, 0, 6, "填报单位：鲤城区教师进修学校")
    for row, (teacher, url) in enumerate([("王芳", "http://127.0.0.1:9/a"), ("李强", "")], start=3):
        for column, value in enumerate([row - 2, "鲤城区", "幼儿园", "科学", teacher, "第一幼儿园", url]):
            sheet.write(row, column, value)
    path = tmp_path / "推荐汇总表.xls"
    book.save(str(path))
    result = read_targets(path, allow_private=True)
    assert [(t.teacher, t.group, t.subject, t.url) for t in result.targets] == [
        ("王芳", "幼儿园", "科学", "http://127.0.0.1:9/a")
    ]
    assert [(b.row, b.reason) for b in result.bad_rows] == [(5, "没有空间网址")]
    # The same workbook under the other extension is still read by what it is.
    renamed = path.rename(tmp_path / "t.xlsx")
    assert [t.teacher for t in read_targets(renamed, allow_private=True).targets] == ["王芳"]


def test_unicode_text_export_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode 文本": UTF-16 with a byte-order mark, tab-separated, CRLF."""
    text = "姓名\t所在学校\t空间网址\r\n张三\t一小\thttp://127.0.0.1:9/a\r\n李四\t二小\t空间：127.0.0.1:9/b\r\n"
    for name in ("unicode.txt", "unicode.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-16"))
        result = read_targets(path, allow_private=True)
        assert [(t.teacher, t.school, t.url) for t in result.targets] == [
            ("张三", "一小", "http://127.0.0.1:9/a"),
            ("李四", "二小", "http://127.0.0.1:9/b"),
        ]


@pytest.mark.parametrize(
    "name, content, words",
    [
        (
            "t.xls",
            b"<html><table><tr><td>\xe7\xa9\xba\xe9\x97\xb4\xe7\xbd\x91\xe5\x9d\x80</td></tr></table>",
            "网页表格",
        ),
        ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "无法读取 Excel 97-2003 文件"),
        ("t.xls", b"not a workbook at all", "无法读取 Excel 97-2003 文件"),
    ],
)
def test_broken_xls_gives_a_chinese_reason(name: str, content: bytes, words: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TargetError, match=words):
        read_targets(path, allow_private=True)


def test_an_address_alone_in_its_cell_is_taken_whole(tmp_path: Path) -> None:
    """Commas, brackets and semicolons inside one address are the address's; the spaces of an
    app that differ only after "#" are different spaces."""
    path = tmp_path / "t.csv"
    path.write_text(
        "姓名,空间网址\n"
        '甲,"http://127.0.0.1:9/show.aspx?id=3,4"\n'
        "乙,http://127.0.0.1:9/space(1)。\n"
        "丙,http://127.0.0.1:9/#/space/1\n"
        "丁,http://127.0.0.1:9/#/space/2\n",
        encoding="utf-8",
    )
    urls = [t.url for t in read_targets(path, allow_private=True).targets]
    assert urls == [
        "http://127.0.0.1:9/show.aspx?id=3,4",
        "http://127.0.0.1:9/space(1)",
        "http://127.0.0.1:9/#/space/1",
        "http://127.0.0.1:9/#/space/2",
    ]
    assert single_url("http://127.0.0.1:9/show.aspx?id=3,4") == "http://127.0.0.1:9/show.aspx?id=3,4"


def test_pasted_text_gives_one_address() -> None:
    assert single_url("空间网址：http：／／x.edu.cn／space？id＝7") == "http://x.edu.cn/space?id=7"
    assert single_url("javascript:alert(1)") == "javascript:alert(1)"  # refused later, with the reason
    with pytest.raises(TargetError, match="有 2 个网址"):
        single_url("http://a.cn/1 http://b.cn/2")
    assert urls_in_cell("版本 3.5，共 12.5 分") == []


def test_sweep_of_an_xls_with_a_two_address_cell(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    server, app = start_bulk(3)
    try:
        urls = [server.base_url + app.home_path(s.sid) for s in app.spaces.values()]
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("表1")
        for column, label in enumerate(["姓名", "组别", "空间网址"]):
            sheet.write(0, column, label)
        sheet.write(1, 0, "甲")
        sheet.write(1, 1, "小学")
        sheet.write(1, 2, urls[0].translate(_FULL_WIDTH))
        sheet.write(2, 0, "乙")
        sheet.write(2, 1, "初中")
        sheet.write(2, 2, f"{urls[1]}；{urls[2]}")
        path = tmp_path / "汇总表.xls"
        book.save(str(path))
        db = tmp_path / "s.db"
        result = run_cli("sweep", str(path), "--db", str(db), "--allow-private")
        assert "本次检查 3 个空间" in result.stdout, result.stderr
        assert "第 3 行：一个单元格里有 2 个网址，已分别检查" in result.stderr
        with sqlite3.connect(db) as conn:
            stored = dict(conn.execute("select url, status from sweep_items").fetchall())
        assert stored == {url: "ok" for url in urls}
    finally:
        server.stop()
