"""Random markup vocabularies: pronounceable, meaningless words for classes, ids and
data-attribute names, drawn per platform.

Nothing a crawler could learn from markup tokens survives here: words are built from
syllables, and any word that contains an English token with a meaning in web markup
(``list``, ``nav``, ``item``, ``tab`` …) or one of the meaningful custom-module markers
(``custom``, ``diy``, ``zdy``) is thrown away and drawn again.
"""

from __future__ import annotations

import random

__all__ = ["FORBIDDEN_PARTS", "Vocab", "syllable_word"]

_ONSETS = [
    "b",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "tr",
    "dr",
    "pl",
    "kr",
    "br",
    "gl",
    "zh",
    "qu",
    "x",
    "sn",
    "vr",
    "kw",
    "j",
]
_NUCLEI = ["a", "e", "i", "o", "u", "ai", "ei", "ou", "ao", "ui", "y"]
_CODAS = ["", "", "", "", "n", "x", "m", "l", "r", "mb", "nk", "lt", "q"]

# Substrings that carry meaning in markup (or look like it); no random word may contain one.
FORBIDDEN_PARTS = (
    "diy",
    "zdy",
    "custom",
    "userdef",
    "system",
    "sys",
    "nav",
    "tab",
    "box",
    "item",
    "list",
    "card",
    "title",
    "page",
    "more",
    "menu",
    "head",
    "foot",
    "side",
    "main",
    "img",
    "pic",
    "photo",
    "avatar",
    "logo",
    "banner",
    "date",
    "time",
    "user",
    "info",
    "name",
    "link",
    "mod",
    "col",
    "row",
    "blog",
    "art",
    "res",
    "vid",
    "album",
    "cat",
    "tag",
    "num",
    "count",
    "text",
    "icon",
    "btn",
    "wrap",
    "cont",
    "body",
    "top",
    "base",
    "pager",
    "next",
    "prev",
    "load",
    "wall",
    "lock",
    "auth",
    "login",
    "sso",
    "space",
    "home",
    "index",
    "file",
    "size",
    "fmt",
    "ext",
    "orig",
    "type",
    "kind",
    "new",
    "hot",
    "sub",
    "grid",
    "cell",
    "nid",
    "sid",
    "uid",
    "pid",
    "url",
    "src",
    "api",
    "json",
    "data",
    "view",
    "show",
    "open",
    "hide",
    "mask",
    "play",
    "media",
    "pos",
    "tit",
    "lab",
    "val",
    "key",
    "dom",
    "fix",
    "clear",
    "left",
    "right",
    "ajax",
    "web",
    "net",
    "bbs",
    "msg",
    "zone",
    "area",
    "pane",
    "panel",
    "bg",
    "hd",
    "bd",
    "ft",
    "js",
    "mp",
    "the",
    "ing",
    "ion",
    "ment",
    "ity",
    "ous",
)


def syllable_word(rng: random.Random, syllables: int | None = None) -> str:
    """One pronounceable-but-meaningless lower-case word of 4–9 letters."""
    while True:
        count = syllables or rng.choice((2, 2, 3))
        word = "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) for _ in range(count)) + rng.choice(_CODAS)
        if 4 <= len(word) <= 9 and not any(part in word for part in FORBIDDEN_PARTS):
            return word


class Vocab:
    """The class/id/data-attribute words of one platform.

    ``w(role)`` gives the platform's word for a role: the same word every time, derived from
    the platform's seed and the role alone, so pages render the same in any request order.
    ``noise(rng)`` draws a throw-away word (extra classes on wrappers) from a page's own rng.
    Every word handed out is recorded in ``words``, which the vocabulary-leak test reads.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._roles: dict[str, str] = {}
        self.words: set[str] = set()
        self.names: set[str] = set()  # the role names as written (compounds joined in the platform's case)
        self.case = random.Random(f"{seed}:case").choice(("lower", "lower", "dash", "under", "camel"))

    def _style(self, parts: list[str]) -> str:
        if len(parts) == 1:
            return parts[0]
        if self.case == "dash":
            return "-".join(parts)
        if self.case == "under":
            return "_".join(parts)
        if self.case == "camel":
            return parts[0] + "".join(p.capitalize() for p in parts[1:])
        return "".join(parts)

    def w(self, role: str) -> str:
        """The platform's (possibly compound) word for ``role``."""
        if role not in self._roles:
            rng = random.Random(f"{self.seed}:role:{role}")
            parts = [syllable_word(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
            self.words.update(parts)
            self._roles[role] = self._style(parts)
            self.names.add(self._roles[role].lower())
        return self._roles[role]

    def noise(self, rng: random.Random) -> str:
        word = syllable_word(rng)
        self.words.add(word)
        return word
