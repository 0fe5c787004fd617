"""``--notify URL``: post a sweep's summary to a group robot or any JSON webhook.

企业微信 (qyapi.weixin.qq.com) and 钉钉 (oapi.dingtalk.com) group robots take a markdown
message; any other URL gets a plain JSON document. A failed post is a warning: the sweep
itself is stored either way.
"""

from __future__ import annotations

from typing import Any

import httpx

from .sweep import SweepSummary

__all__ = ["notify_payload", "send_notification"]


def _format_for(url: str, wanted: str) -> str:
    if wanted != "auto":
        return wanted
    host = httpx.URL(url).host
    if host.endswith("qyapi.weixin.qq.com"):
        return "wecom"
    if host.endswith("dingtalk.com"):
        return "dingtalk"
    return "json"


def notify_payload(summary: SweepSummary, fmt: str, rubric: str) -> dict[str, Any]:
    every = summary.verdicts + summary.earlier
    title = f"spacebot 巡检完成（{rubric}）"
    lines = [
        f"**{title}**",
        f"> 空间 {summary.total} 个：合格 {every['pass']}，不合格 {every['fail']}，"
        f"需人工评审 {every['review']}，无法检查 {every['error']}",
        f"> 用时 {summary.seconds:.0f} 秒",
    ]
    for url, reason in summary.failures[:5]:
        lines.append(f"> 无法检查：{url}（{reason[:60]}）")
    markdown = "\n".join(lines)
    if fmt == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": markdown}}
    if fmt == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    return {
        "schema": "spacebot/sweep-summary-1",
        "sweep_id": summary.sweep_id,
        "rubric": rubric,
        "total": summary.total,
        "verdicts": dict(every),
        "seconds": round(summary.seconds, 1),
        "failures": [{"url": u, "reason": r} for u, r in summary.failures],
        "text": summary.text(),
    }


def send_notification(url: str, summary: SweepSummary, rubric: str, fmt: str = "auto") -> str | None:
    """Post the summary; the Chinese reason when it could not be delivered, else None."""
    payload = notify_payload(summary, _format_for(url, fmt), rubric)
    try:
        response = httpx.post(url, json=payload, timeout=10)
    except httpx.HTTPError as exc:
        return f"通知发送失败：无法连接 {url}（{exc.__class__.__name__}）"
    if response.status_code >= 400:
        return f"通知发送失败：{url} 返回 HTTP {response.status_code}"
    return None
