"""The URL scheme of a platform: how its pages, JSON APIs and media are addressed, and the
inverse (a request → which page). Path words are random words of the platform."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from .model import Style

__all__ = ["Route", "Urls"]

KINDS = ("res", "art", "alb")  # the three listings


@dataclass
class Route:
    page: str  # home | listing | detail | album | profile | column | api | media | image | download | shell
    sid: str = ""
    kind: str = ""  # res | art | alb | album | layout | profile | space | ...
    id: int = 0
    number: int = 1  # page number
    tab: str = ""
    size: int = 0
    rest: str = ""


class Urls:
    """Every path of one platform, as a path with query (relative to its base URL)."""

    def __init__(self, style: Style) -> None:
        self.s = style
        self.w = style.words
        self.sidp = {"path": "sid", "query": "uid", "route": "sid"}.get(style.url_style, "id")
        self.word = {"res": self.w["res"], "art": self.w["art"], "alb": self.w["alb"]}
        self.kind_of = {v: k for k, v in self.word.items()}
        self.api_of = {**self.kind_of, **{self.w["api" + x]: x for x in ("layout", "space", "detail", "album")}}

    # -- server pages -------------------------------------------------------------------
    def _q(self, params: dict[str, object]) -> str:
        params = {k: v for k, v in params.items() if v not in (None, "")}
        return f"?{urlencode(params, safe='/')}" if params else ""

    def _paging(self, page: int, tab: str) -> dict[str, object]:
        out: dict[str, object] = {}
        if tab:
            out["t"] = tab
        if page > 1 or self.s.first_page_param:
            out[self.s.page_param] = page
        return out

    def home(self, sid: str) -> str:
        if self.s.kind == "spa":
            if self.s.url_style == "hash":
                return f"/#/space/{sid}"
            if self.s.url_style == "query":
                return f"/{self.w['shell']}/main.html?id={sid}"
            return f"/{self.w['shell']}/{sid}"
        if self.s.url_style == "path":
            return f"/{self.w['root']}/{sid}/"
        if self.s.url_style == "query":
            return f"/{self.w['root']}.php?{self.sidp}={sid}"
        return f"/index.php?r={self.w['root']}/{self.w['shell']}/index&sid={sid}"

    def listing(self, sid: str, kind: str, page: int = 1, tab: str = "") -> str:
        word = self.word[kind]
        paging = self._paging(page, tab)
        if self.s.url_style == "path" and self.s.kind == "server":
            return f"/{self.w['root']}/{sid}/{word}/{self._q(paging)}"
        if self.s.url_style == "route" or self.s.kind == "spa":
            route = f"{self.w['root']}/{word}/index"
            return f"/index.php{self._q({'r': route, 'sid': sid, **paging})}"
        return f"/{word}.php{self._q({self.sidp: sid, **paging})}"

    def _item(self, sid: str, word: str, id_: int | str) -> str:
        if self.s.url_style == "path" and self.s.kind == "server":
            return f"/{self.w['root']}/{sid}/{word}/{id_}.html"
        if self.s.url_style == "route" or self.s.kind == "spa":
            return f"/index.php?r={self.w['root']}/{word}/view&sid={sid}&id={id_}"
        return f"/{word}_{self.w['view']}.php?{self.sidp}={sid}&id={id_}"

    def detail(self, sid: str, kind: str, id_: int | str) -> str:
        return self._item(sid, self.word[kind], id_)

    def album(self, sid: str, id_: int) -> str:
        return self._item(sid, self.w["album"], id_)

    def profile(self, sid: str) -> str:
        return self._item(sid, self.w["prof"], 1)

    def column(self, sid: str, mid: int) -> str:
        return self._item(sid, self.w["col"], mid)

    # -- APIs, media, images ----------------------------------------------------------------
    def api(self, sid: str, what: str, **params: object) -> str:
        word = self.word.get(what) or self.w["api" + what]
        return f"/{self.w['api']}/{word}{self._q({'sid': sid, **params})}"

    def media(self, path: str) -> str:
        return path

    def image(self, name: str) -> str:
        return f"/{self.w['img']}/{name}"

    def download(self, sid: str, id_: int, ext: str) -> str:
        return f"/{self.w['dl']}/{sid}/{id_}.{ext}"

    # -- SPA in-app routes ----------------------------------------------------------------
    def spa_view(self, sid: str, view: str, id_: int = 0) -> str | None:
        """The address of an in-app view (None where the view has no address: tabs)."""
        tail = f"{view}/{id_}" if id_ else view
        if self.s.spa_routing == "hash":
            return f"/#/space/{sid}/{tail}" if self.s.url_style == "hash" else f"{self.home(sid)}#/{tail}"
        if self.s.spa_routing == "pushstate":
            extra = f"&oid={id_}" if id_ else ""
            joiner = "&" if "?" in self.home(sid) else "?"
            return f"{self.home(sid)}{joiner}{self.w['view']}={view}{extra}"
        return None

    # -- the inverse ----------------------------------------------------------------------
    def parse(self, path: str, query: dict[str, str]) -> Route | None:
        w = self.w
        parts = [p for p in path.split("/") if p]
        raw = query.get(self.s.page_param, "1")
        number = max(1, int(raw)) if raw.isdigit() else 1
        tab = query.get("t", "")
        if parts[:1] == [w["api"]] and len(parts) == 2:
            size, id_ = query.get(self.s.size_param, ""), query.get("id", "")
            if parts[1] not in self.api_of:
                return None
            return Route(
                "api",
                query.get("sid", ""),
                self.api_of[parts[1]],
                int(id_) if id_.isdigit() else 0,
                number,
                query.get("cat", ""),
                int(size) if size.isdigit() else 0,
                query.get("type", ""),
            )
        if parts[:1] == [w["media"]] and len(parts) >= 3:
            return Route("media", parts[1], rest="/".join(parts[2:]))
        if parts[:1] == [w["img"]] and len(parts) == 2:
            return Route("image", rest=parts[1])
        if parts[:1] == [w["dl"]] and len(parts) == 3:
            return Route("download", parts[1], rest=parts[2])
        if self.s.kind == "spa":
            if path == "/" and self.s.url_style == "hash":
                return Route("shell")
            if parts[:1] == [w["shell"]]:
                if self.s.url_style == "query" and parts[1:] == ["main.html"] and "id" in query:
                    return Route("shell", query["id"])
                if self.s.url_style == "path" and len(parts) == 2:
                    return Route("shell", parts[1])
        if self.s.kind == "server" and self.s.url_style == "path" and parts[:1] == [w["root"]] and len(parts) >= 2:
            sid = parts[1]
            if len(parts) == 2:
                return Route("home", sid) if path.endswith("/") else None
            return self._by_word(sid, parts[2], parts[3] if len(parts) > 3 else "", number, tab, path.endswith("/"))
        if path == "/index.php" and "r" in query:
            bits = query["r"].split("/")
            if len(bits) != 3 or bits[0] != w["root"]:
                return None
            sid = query.get("sid", "")
            if bits[1:] == [w["shell"], "index"] and self.s.kind == "server":
                return Route("home", sid)
            if bits[2] == "index" and bits[1] in self.kind_of:
                return Route("listing", sid, self.kind_of[bits[1]], number=number, tab=tab)
            if bits[2] == "view" and query.get("id", "").isdigit():
                return self._item_route(sid, bits[1], int(query["id"]))
            return None
        if self.s.url_style == "query" and path.endswith(".php") and len(parts) == 1:
            stem = parts[0][:-4]
            sid = query.get(self.sidp, "")
            if stem == w["root"]:
                return Route("home", sid)
            if stem in self.kind_of:
                return Route("listing", sid, self.kind_of[stem], number=number, tab=tab)
            if stem.endswith(f"_{w['view']}") and query.get("id", "").isdigit():
                return self._item_route(sid, stem[: -len(w["view"]) - 1], int(query["id"]))
        return None

    def _by_word(self, sid: str, word: str, leaf: str, number: int, tab: str, slash: bool) -> Route | None:
        if not leaf:
            return (
                Route("listing", sid, self.kind_of[word], number=number, tab=tab)
                if (word in self.kind_of and slash)
                else None
            )
        if leaf.endswith(".html") and leaf[:-5].isdigit():
            return self._item_route(sid, word, int(leaf[:-5]))
        return None

    def _item_route(self, sid: str, word: str, id_: int) -> Route | None:
        w = self.w
        if word in self.kind_of and self.kind_of[word] != "alb":
            return Route("detail", sid, self.kind_of[word], id_)
        pages = {w["album"]: "album", w["prof"]: "profile", w["col"]: "column"}
        return Route(pages[word], sid, id=id_) if word in pages else None
