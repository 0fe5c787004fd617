"""What changed between two snapshots of a space (history, report cards)."""

from __future__ import annotations

from typing import Any

__all__ = ["changes_between"]

_COLLECTIONS = {
    "resources": ("资源", "url", "title"),
    "articles": ("文章", "url", "title"),
    "albums": ("相册", "url", "name"),
    "videos": ("视频", "url", "title"),
    "outbound_links": ("外链", "url", "url"),
    "modules": ("模块", "name", "name"),
}
_COUNTS = {
    "resources": "资源",
    "articles": "文章",
    "albums": "相册",
    "photos": "照片",
    "videos": "视频",
    "modules": "模块",
    "custom_modules": "自定义模块",
    "outbound_links": "外链",
}


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed from one check-1 document to the next, as Chinese lines."""
    lines = []
    if before["visibility"]["value"] != after["visibility"]["value"]:
        lines.append(f"可见性：{before['visibility']['value']} → {after['visibility']['value']}")
    if before["verdict"] != after["verdict"]:
        lines.append(f"结论：{before['verdict']} → {after['verdict']}")
    for key, (label, ident, shown) in _COLLECTIONS.items():
        old = {x[ident]: x for x in before.get(key, [])}
        new = {x[ident]: x for x in after.get(key, [])}
        added = [new[k].get(shown) or k for k in new.keys() - old.keys()]
        removed = [old[k].get(shown) or k for k in old.keys() - new.keys()]
        if added:
            lines.append(
                f"新增{label} {len(added)} 个："
                + "、".join(sorted(map(str, added))[:5])
                + ("…" if len(added) > 5 else "")
            )
        if removed:
            lines.append(
                f"删除{label} {len(removed)} 个："
                + "、".join(sorted(map(str, removed))[:5])
                + ("…" if len(removed) > 5 else "")
            )
    counts = [
        f"{name} {before['counts'][k]} → {after['counts'][k]}"
        for k, name in _COUNTS.items()
        if before["counts"].get(k) != after["counts"].get(k)
    ]
    if counts:
        lines.append("数量：" + "，".join(counts))
    old_fails = {f["item"] for f in before["findings"] if f["severity"] == "fail"}
    new_fails = {f["item"] for f in after["findings"] if f["severity"] == "fail"}
    if old_fails - new_fails:
        lines.append("已改正：" + "、".join(sorted(old_fails - new_fails)))
    if new_fails - old_fails:
        lines.append("新出现的不合格项：" + "、".join(sorted(new_fails - old_fails)))
    return lines
