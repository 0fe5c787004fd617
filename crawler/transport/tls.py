"""Certificate problems, said in Chinese: an expired, self-signed or misnamed certificate
is the platform's fault, not an unreachable host, and a bureau can lift the check for its
own platform with ``--insecure-host`` (one host at a time, never for all)."""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

__all__ = ["certificate_message", "certificate_problem"]

_KINDS = (
    ("has expired", "已过期"),
    ("not yet valid", "尚未生效"),
    ("mismatch", "域名不符"),
    ("self-signed", "自签名"),
    ("self signed", "自签名"),
    ("unable to get local issuer", "自签名或颁发机构不受信任"),
    ("unable to verify the first certificate", "证书链不完整"),
    ("revoked", "已吊销"),
)


def certificate_problem(exc: BaseException) -> str | None:
    """What is wrong with the certificate behind a failed connection (已过期, 自签名,
    域名不符 …), or None when the failure was not about a certificate."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            text = f"{current.verify_message or ''} {current}".lower()
            return next((kind for words, kind in _KINDS if words in text), current.verify_message or "无法验证")
        if "certificate_verify_failed" in str(current).lower():
            text = str(current).lower()
            return next((kind for words, kind in _KINDS if words in text), "无法验证")
        current = current.__cause__ or current.__context__
    return None


def certificate_message(problem: str, url: str) -> str:
    host = urlsplit(url).netloc
    return (
        f"证书无效（{problem}），无法确认网站身份：{url}；"
        f"如确认这是本单位的平台，可加 --insecure-host {host} 跳过该主机的证书校验"
    )
