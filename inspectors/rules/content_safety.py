"""content_safety: screen the space's text with a word list (内容安全).

Why: seed 000 (空间建设): "参评教师空间不得发表或链接任何带有侮辱、种族歧视、色情、暴力或其他形式的
不良内容". Every title the crawl saw (modules, resources, articles, albums, link texts,
profile) is matched against the word list with Aho–Corasick (pyahocorasick), so a long
list costs one pass. Matches are ``review`` with their location, never an automatic
failure: a word list cannot tell a warning to students from the thing itself.
Reviews for example: an article titled "远离网络赌博，从我做起".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import ahocorasick

from crawler import SpaceSnapshot
from errors import RubricError

from .._finding import Finding
from .._rubric import RubricItem
from ._base import InspectContext, finding

__all__ = ["check_content_safety", "load_wordlist"]

DEFAULT_WORDLIST = Path(__file__).resolve().parent.parent / "wordlists" / "content_safety.txt"


@lru_cache(maxsize=8)
def load_wordlist(path: Path) -> ahocorasick.Automaton:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"无法读取内容安全词表 {path}：{exc}") from None
    automaton = ahocorasick.Automaton()
    for line in lines:
        word = line.strip()
        if word and not word.startswith("#"):
            automaton.add_word(word, word)
    if len(automaton) == 0:
        raise RubricError(f"内容安全词表 {path} 中没有词")
    automaton.make_automaton()
    return automaton


def _texts(snapshot: SpaceSnapshot) -> list[tuple[str, str, str]]:
    """(where, url, text) for everything the crawl read."""
    home = snapshot.crawl.final_url
    out = [("模块名称", m.url or home, m.name) for m in snapshot.modules]
    out += [("资源标题", r.url, r.title) for r in snapshot.resources]
    out += [("文章标题", a.url, a.title) for a in snapshot.articles]
    out += [("相册名称", a.url or home, a.name) for a in snapshot.albums]
    out += [("外链文字", link.page_url, f"{link.text} {link.url}") for link in snapshot.outbound_links]
    profile = snapshot.profile
    out += [("个人资料", home, v) for v in (profile.name, profile.school, profile.subject) if v]
    return out


def check_content_safety(item: RubricItem, snapshot: SpaceSnapshot, ctx: InspectContext) -> list[Finding]:
    configured = item.params.get("wordlist")
    path = DEFAULT_WORDLIST
    if configured:
        path = Path(str(configured))
        if not path.is_absolute() and ctx.rubric.path is not None:
            path = ctx.rubric.path.parent / path
    automaton = load_wordlist(path)
    hits = []
    for where, url, text in _texts(snapshot):
        words = sorted({word for _, word in automaton.iter(text)})
        if words:
            hits.append((where, url, text, words))
    scanned = len(_texts(snapshot))
    if not hits:
        return [
            finding(
                item,
                ctx,
                "pass",
                f"{item.title}：筛查了 {scanned} 处文字，未发现词表中的词。",
                f"筛查 {scanned} 处，命中 0 处",
            )
        ]
    shown = "；".join(f"{where}「{text[:30]}」含“{'、'.join(words)}”" for where, _, text, words in hits[:5])
    return [
        finding(
            item,
            ctx,
            "review",
            f"{item.title}：{len(hits)} 处文字含词表中的词，请人工确认：{shown}。",
            f"筛查 {scanned} 处，命中 {len(hits)} 处",
            list(dict.fromkeys(url for _, url, _, _ in hits))[:20],
        )
    ]
