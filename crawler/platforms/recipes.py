"""Learned platform recipes: what of a platform can be read without the browser.

A visit renders a page in chromium when its plain HTML carries scripts that may fill it.
On many platforms those scripts add nothing the extraction reads (a layout script, a
statistics call, a widget), and every space of the host pays for chromium in vain. A
recipe records, per host, the page roles (``home``, ``listing``, ``detail``, ``profile``)
that are read over plain HTTP although they carry scripts.

Learning, per host:
1. a visit as usual notes the roles it rendered; they are the first candidate;
2. **verify before trust**: the next spaces of the host are visited twice, once with the
   candidate's roles over plain HTTP and once as usual; the candidate is trusted only
   when both visits give the same snapshot, on ``VERIFY_SPACES`` spaces in a row;
3. a candidate that disagrees is dropped; the next candidates are its roles one at a
   time; when none is left the host needs the browser (status ``failed``);
4. a trusted recipe whose visit looks wrong (not ``ok``, or fewer items read than the
   space declares) is checked against a visit as usual; if they differ, the recipe is
   dropped and learnt again.

A recipe also holds the list APIs learnt where a listing grows by 加载更多 from a JSON
API (see :mod:`crawler.visit.grow`): with ``listing`` read over HTTP, such a listing is
grown by asking the API page by page instead of rendering it. A list API learnt by a
visit as usual is verified like a candidate (a trusted recipe goes back to verifying);
one whose side-by-side visit disagrees is dropped for good on that host and its lists are
rendered, while the roles are verified again without it.

Recipes live in the database (one per host) and can be shipped as TOML files in
``crawler/platforms/recipes/``: ``host = "…"`` and ``http_roles = ["home", …]``. A
shipped recipe is verified like a learned one before it is trusted.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from errors import RecipeError

__all__ = ["ROLES", "ROLE_TEXT", "STATUS_TEXT", "Plan", "Recipe", "RecipeBook", "shipped_recipes"]

ROLES = ("home", "listing", "detail", "profile")
ROLE_TEXT = {"home": "主页", "listing": "列表页", "detail": "详情页", "profile": "个人资料页"}
STATUS_TEXT = {"learning": "验证中", "verified": "已验证", "failed": "需要浏览器", "observing": "学习中"}
_MAX_APIS = 8  # list APIs kept per host
_MAX_REJECTED = 16  # list APIs rejected on a host, after which it learns no more
_MAX_TRIES = 4  # verifications a list API may sit out (no listing it fits) before it is dropped


def api_key(api: dict[str, Any]) -> str:
    return json.dumps(api, sort_keys=True, ensure_ascii=False)


VERIFY_SPACES = 2  # spaces in a row on which the recipe and the browser must agree
SHIPPED_DIR = Path(__file__).parent / "recipes"


@dataclass
class Recipe:
    """What one host's pages need; its status and what its spaces cost."""

    host: str
    status: str = "observing"  # observing | learning | verified | failed
    http_roles: tuple[str, ...] = ()  # the candidate (learning) or the trusted roles (verified)
    agreed: int = 0  # spaces in a row on which the candidate and the browser agreed
    rejected: list[tuple[str, ...]] = field(default_factory=list)  # candidates that disagreed
    queue: list[tuple[str, ...]] = field(default_factory=list)  # candidates still to try
    list_apis: list[dict[str, Any]] = field(default_factory=list)  # learnt list APIs (.grow.ListApi)
    api_agreed: dict[str, int] = field(default_factory=dict)  # by api_key: spaces it agreed on
    api_tries: dict[str, int] = field(default_factory=dict)  # by api_key: verifications it sat out
    apis_rejected: list[dict[str, Any]] = field(default_factory=list)  # list APIs that disagreed
    source: str = "learned"  # learned | shipped
    note: str = ""  # why it was dropped last (Chinese)
    spaces: int = 0
    requests: int = 0
    renders: int = 0
    walls_agreed: int = 0  # walls (friends only, private) the recipe and the browser read alike
    trusted_spaces: int = 0  # spaces visited by the trusted recipe
    trusted_rendered: int = 0  # … of which some page still needed the browser

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recipe:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        recipe = cls(**known)
        recipe.http_roles = tuple(recipe.http_roles)
        recipe.rejected = [tuple(c) for c in recipe.rejected]
        recipe.queue = [tuple(c) for c in recipe.queue]
        return recipe

    def describe(self) -> str:
        """The recipe in a reviewer's words."""
        if self.status == "failed":
            return "脚本生成的内容需要浏览器读取"
        if not self.http_roles:
            return "不需要浏览器" if self.status == "observing" else "—"
        roles = "、".join(ROLE_TEXT[r] for r in self.http_roles)
        grown = "；“加载更多”列表从平台接口读取" if self.list_apis and "listing" in self.http_roles else ""
        return f"{roles}不用浏览器{grown}"


@dataclass(frozen=True)
class Plan:
    """How the next space of a host is visited: ``trust`` the roles over plain HTTP, or
    ``verify`` them side by side with a visit as usual."""

    mode: str  # trust | verify
    http_roles: frozenset[str]
    list_apis: tuple[dict[str, Any], ...] = ()


class RecipeBook:
    """The recipes of a sweep's hosts; ``changed`` holds hosts whose recipe changed since
    the last :meth:`take_changed` (for the caller to store)."""

    def __init__(self, recipes: list[Recipe] | None = None) -> None:
        self.recipes: dict[str, Recipe] = {r.host: r for r in recipes or []}
        self.changed: set[str] = set()

    def plan(self, host: str) -> Plan | None:
        recipe = self.recipes.get(host)
        if recipe is None or not recipe.http_roles:
            return None
        apis = tuple(recipe.list_apis)
        trusted = tuple(a for a in apis if recipe.api_agreed.get(api_key(a), 0) >= VERIFY_SPACES)
        if recipe.status == "verified" and trusted == apis:
            return Plan("trust", frozenset(recipe.http_roles), apis)
        if recipe.status in ("verified", "learning"):  # the roles, or a list API, not verified yet
            return Plan("verify", frozenset(recipe.http_roles), apis)
        return None

    def apis_seen(self, host: str, apis: list[dict[str, Any]]) -> None:
        """A visit as usual learnt how lists grow from the host's API: new ones are kept
        (a trusted recipe is verified again with them; a rejected one is not tried again)."""
        recipe = self.recipes.setdefault(host, Recipe(host))
        if len(recipe.apis_rejected) >= _MAX_REJECTED:
            return  # the host's lists do not replay: they are rendered
        fresh = [a for a in apis if a not in recipe.list_apis and a not in recipe.apis_rejected]
        fresh = fresh[: max(0, _MAX_APIS - len(recipe.list_apis))]
        if fresh:
            recipe.list_apis = [*recipe.list_apis, *fresh]
            self.changed.add(host)

    def api_round(self, host: str, played: list[dict[str, Any]]) -> None:
        """A side-by-side visit over a space with a list that grows is over: a list API
        not yet verified that it did not play has sat out one more; after ``_MAX_TRIES`` it
        is dropped (it fits no growing list seen)."""
        recipe = self.recipes.get(host)
        if recipe is None:
            return
        for api in list(recipe.list_apis):
            key = api_key(api)
            if api in played or recipe.api_agreed.get(key, 0) >= VERIFY_SPACES:
                continue
            recipe.api_tries[key] = recipe.api_tries.get(key, 0) + 1
            if recipe.api_tries[key] >= _MAX_TRIES:
                self._reject_apis(recipe, [api])
            self.changed.add(host)

    def _reject_apis(self, recipe: Recipe, apis: list[dict[str, Any]]) -> None:
        recipe.list_apis = [a for a in recipe.list_apis if a not in apis]
        recipe.apis_rejected = [*recipe.apis_rejected, *apis][-_MAX_REJECTED:]
        for api in apis:
            recipe.api_agreed.pop(api_key(api), None)
            recipe.api_tries.pop(api_key(api), None)
        self.changed.add(recipe.host)

    def observed(self, host: str, rendered: set[str]) -> None:
        """A visit as usual rendered ``rendered``: the roles a candidate may try without."""
        recipe = self.recipes.setdefault(host, Recipe(host))
        roles = tuple(r for r in ROLES if r in rendered)
        if recipe.status != "observing" or not roles:
            return
        candidates = [roles, *[(r,) for r in roles if len(roles) > 1]]
        recipe.queue = [c for c in candidates if c not in recipe.rejected]
        self._next(recipe)

    def verdict(
        self, host: str, roles: frozenset[str], same: bool, why: str = "", apis: list[dict[str, Any]] | None = None
    ) -> None:
        """The outcome of a side-by-side visit (or of a trusted visit that looked wrong);
        ``apis``: the list APIs the recipe's visit played (they are what disagreed, if any)."""
        recipe = self.recipes.get(host)
        if recipe is None or frozenset(recipe.http_roles) != roles:
            return  # decided meanwhile by another space of the host
        played = [a for a in apis or [] if a in recipe.list_apis]
        if not same and played:  # the list APIs are dropped; the roles are verified again without them
            self._reject_apis(recipe, played)
            recipe.note = why
            recipe.agreed = 0
            return
        if same:
            for api in played:
                recipe.api_agreed[api_key(api)] = recipe.api_agreed.get(api_key(api), 0) + 1
                self.changed.add(host)
            if recipe.status == "learning":
                recipe.agreed += 1
                if recipe.agreed >= VERIFY_SPACES:
                    recipe.status = "verified"
                    self.changed.add(host)
            return
        recipe.rejected.append(recipe.http_roles)
        recipe.note = why
        if recipe.status == "verified":  # it worked, then stopped working: observe and learn again
            recipe.queue, recipe.http_roles, recipe.status, recipe.agreed = [], (), "observing", 0
            recipe.list_apis, recipe.api_agreed, recipe.api_tries = [], {}, {}
            self.changed.add(host)
            return
        self._next(recipe)

    def _next(self, recipe: Recipe) -> None:
        recipe.agreed = 0
        if recipe.queue:
            recipe.http_roles = recipe.queue.pop(0)
            recipe.status = "learning"
        else:
            recipe.http_roles = ()
            recipe.status = "failed" if recipe.rejected else "observing"
        self.changed.add(recipe.host)

    def reverify(self) -> None:
        """A full read checks everything again: trusted recipes are verified anew, and hosts
        found to need the browser are observed again from scratch (platforms change)."""
        for recipe in self.recipes.values():
            if recipe.status == "verified":
                recipe.status, recipe.agreed = "learning", 0
            elif recipe.status == "failed":
                recipe.status, recipe.rejected, recipe.queue = "observing", [], []
            recipe.apis_rejected, recipe.api_agreed, recipe.api_tries = [], {}, {}
            self.changed.add(recipe.host)

    def account(self, host: str, requests: int, renders: int) -> None:
        recipe = self.recipes.setdefault(host, Recipe(host))
        recipe.spaces += 1
        recipe.requests += requests
        recipe.renders += renders
        self.changed.add(host)

    def wall_verdict(self, host: str, same: bool) -> None:
        """A space behind a wall (friends only, private) read by the recipe and by the
        browser: once they agreed on one, the host's walls read by the trusted recipe are
        taken as they are; a disagreement makes every wall a suspect again."""
        recipe = self.recipes.get(host)
        if recipe is None:
            return
        recipe.walls_agreed = recipe.walls_agreed + 1 if same else 0
        self.changed.add(host)

    def trusted_visit(self, host: str, rendered: bool) -> None:
        """A space was visited by the host's trusted recipe; ``rendered``: some page of it
        still needed the browser (a script redirect, a list whose API did not fit, a result
        that looked wrong and was checked)."""
        recipe = self.recipes.get(host)
        if recipe is None:
            return
        recipe.trusted_spaces += 1
        recipe.trusted_rendered += rendered
        self.changed.add(host)

    def take_changed(self) -> list[Recipe]:
        out = [self.recipes[h] for h in sorted(self.changed) if h in self.recipes]
        self.changed.clear()
        return out


def shipped_recipes(directory: Path = SHIPPED_DIR) -> list[Recipe]:
    """The recipes a bureau ships as TOML files; a bad file is a :class:`RecipeError`."""
    out = []
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RecipeError(f"平台配方文件 {path} 无法读取（{exc}）：请检查 TOML 格式") from None
        host, roles = data.get("host"), data.get("http_roles")
        if not isinstance(host, str) or not host or "/" in host:
            raise RecipeError(f"平台配方文件 {path}：host 应为平台主机名（如 space.example.edu.cn 或 主机:端口）")
        if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
            raise RecipeError(f"平台配方文件 {path}：http_roles 应为 {'、'.join(ROLES)} 中的一项或几项")
        ordered = tuple(r for r in ROLES if r in roles)
        out.append(Recipe(host.lower(), "learning", ordered, source="shipped"))
    return out
