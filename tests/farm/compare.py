"""Compare spacebot's check-1 JSON with the farm's ground truth, field by field."""

from __future__ import annotations

from typing import Any

_KEYS = {"resources": "url", "articles": "url", "albums": "url", "videos": "url", "outbound_links": "url"}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and a[0] == "at_most":  # bytes_read: positive, never the whole file twice
        return isinstance(b, int) and 0 < b <= a[1]
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) <= 0.05
    return a == b


def diff(expected: dict[str, Any], actual: dict[str, Any], *, probes: bool = True) -> list[str]:
    """Every difference as ``path: expected … got …``; an empty list means a match."""
    out: list[str] = []
    for section in ("target", "crawl", "visibility", "profile", "counts"):
        for key, value in expected[section].items():
            got = actual.get(section, {}).get(key)
            if not _close(value, got):
                out.append(f"{section}.{key}: 期望 {value!r}，实际 {got!r}")
    exp_mods, got_mods = expected["modules"], actual.get("modules", [])
    if [m["name"] for m in exp_mods] != [m["name"] for m in got_mods]:
        out.append(f"modules: 期望 {[m['name'] for m in exp_mods]}，实际 {[m['name'] for m in got_mods]}")
    else:
        for e, g in zip(exp_mods, got_mods, strict=False):
            for key in ("kind", "url", "items"):
                if e[key] != g.get(key):
                    out.append(f"modules[{e['name']}].{key}: 期望 {e[key]!r}，实际 {g.get(key)!r}")
    for section, key in _KEYS.items():
        exp = {item[key]: item for item in expected[section]}
        got = {item[key]: item for item in actual.get(section, [])}
        for missing in exp.keys() - got.keys():
            out.append(f"{section}: 缺少 {missing}")
        for extra in got.keys() - exp.keys():
            out.append(f"{section}: 多出 {extra}")
        for k in exp.keys() & got.keys():
            for field, value in exp[k].items():
                if field == "probe":
                    if not probes:
                        continue
                    for pk, pv in (value or {}).items():
                        gv = (got[k].get("probe") or {}).get(pk)
                        if not _close(pv, gv):
                            out.append(f"{section}[{k}].probe.{pk}: 期望 {pv!r}，实际 {gv!r}")
                elif not _close(value, got[k].get(field)):
                    out.append(f"{section}[{k}].{field}: 期望 {value!r}，实际 {got[k].get(field)!r}")
    return out
