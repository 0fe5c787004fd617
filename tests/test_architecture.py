"""The package arrows of DESIGN.md, checked on the code's own imports.

    spacebot ─► reports, store, inspectors, crawler
    inspectors, store ─► crawler          reports ─► store
    every package ─► errors (the neutral error tree), errors ─► nothing

Inside crawler: extract/ is pure (page ─► data: it imports only the model and itself);
transport/ knows nothing of platforms or visits; platforms/ never reach into visit/.
Imports under ``if TYPE_CHECKING:`` are annotations only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crawler", "errors", "inspectors", "store", "reports", "spacebot")

# module prefix → the project modules it may import (prefixes); the longest prefix rules.
ALLOWED: dict[str, tuple[str, ...]] = {
    "errors": (),
    "crawler": ("crawler", "errors"),
    "crawler.extract": ("crawler.extract", "crawler.model", "errors"),
    "crawler.transport": ("crawler.transport", "crawler.extract.dom", "crawler.extract.vocab", "errors"),
    "crawler.platforms": ("crawler.platforms", "crawler.transport", "crawler.extract", "crawler.model", "errors"),
    "inspectors": ("inspectors", "crawler", "errors"),
    "store": ("store", "crawler", "errors"),
    "reports": ("reports", "store", "errors"),
    "spacebot": PACKAGES,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _runtime_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded.update(id(n) for child in node.body for n in ast.walk(child))
    module = _module_name(path)
    out = []
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            out.append(_resolve(module, path.name == "__init__.py", node))
    return [name for name in out if name.split(".")[0] in PACKAGES]


def _rule(module: str) -> tuple[str, ...]:
    prefix = max((p for p in ALLOWED if module == p or module.startswith(p + ".")), key=len)
    return ALLOWED[prefix]


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


SOURCES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_package_arrows(path: Path) -> None:
    module = _module_name(path)
    allowed = _rule(module)
    wrong = [name for name in _runtime_imports(path) if not _under(name, allowed)]
    assert wrong == [], f"{module} imports {wrong}; allowed: {allowed}"


def test_the_checker_sees_a_wrong_arrow(tmp_path: Path) -> None:
    """The rule table catches what it is meant to (a reports module importing inspectors)."""
    assert not _under("inspectors", _rule("reports._html"))
    assert not _under("crawler.visit.visit", _rule("crawler.extract.records"))
    assert not _under("crawler.visit", _rule("crawler.platforms.tianyu"))
    assert _under("crawler.model", _rule("crawler.extract.items"))
