"""What the coordinator and the workers of a distributed sweep share: the broker and its
settings, the queue names, the Redis keys, and the JSON of the messages (never pickle).

One message per space goes to the ``spaces`` queue; a worker answers with one message on
the sweep's own results queue, which only its coordinator reads. Both are Dramatiq
messages on its Redis broker, acknowledged late: a message whose worker (or coordinator)
dies unacknowledged goes back to its queue once the process's heartbeat is older than
:data:`HEARTBEAT_TIMEOUT_MS`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import zlib
from dataclasses import asdict, fields
from typing import Any
from urllib.parse import urlsplit

from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from crawler import Target
from errors import SpacebotError

NAMESPACE = "spacebot"
SPACES_QUEUE = "spaces"
CHECK_ACTOR = "check_space"
RESULT_ACTOR = "space_result"
VERSION = 2  # 2: probes in the crawl state carry card_read (a worker of version 1 cannot read them)

# Dramatiq's defaults (60 s without a heartbeat, queue maintenance on 1 command in 1000)
# can leave a dead worker's message unseen for many minutes. Every process here runs the
# maintenance on each command and heartbeats every few seconds, so a message of a worker
# killed mid-space is back in its queue about HEARTBEAT_TIMEOUT_MS later.
HEARTBEAT_TIMEOUT_MS = 30_000
HEARTBEAT_EVERY = 5.0  # seconds
MAINTENANCE_CHANCE = 1_000_000  # out of dramatiq.brokers.redis.MAINTENANCE_SCALE: always

# A host slot is a lease the worker holding it renews every LEASE_SECONDS / 3; a slot of a
# worker that died comes back at most LEASE_SECONDS later.
LEASE_SECONDS = 20.0
WORKER_TTL = 30  # seconds a worker's status stays visible without being renewed

# What Redis raises while it cannot be reached (or is still loading its data after a restart).
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, ConnectionError, TimeoutError)


class BrokerError(SpacebotError):
    """The broker URL is unusable or Redis cannot be reached (Chinese message)."""


def check_broker_url(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError:
        port, parts = None, None
    if (
        parts is None
        or parts.scheme not in ("redis", "rediss", "unix")
        or (parts.scheme != "unix" and not parts.hostname)
        or (port is not None and not 0 < port < 65536)
    ):
        raise BrokerError(
            "--broker 的地址无效：请写成 redis://主机:端口/库号，有密码时写 redis://:密码@主机:端口/库号"
            "（密码中的 / # ? @ 等字符请写成 %2F %23 %3F %40）"
        )
    return url


def check_redis(url: str) -> None:
    """Raise :class:`BrokerError` (Chinese) unless Redis answers at ``url``."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except (redis.exceptions.AuthenticationError, redis.exceptions.ResponseError):
        if not _has_password(url):
            raise BrokerError(f"Redis（{redacted(url)}）需要密码：请写成 redis://:密码@主机:端口/库号") from None
        raise BrokerError(f"Redis（{redacted(url)}）拒绝了密码：请检查 --broker 中的密码") from None
    except REDIS_DOWN:
        raise BrokerError(f"无法连接 Redis（{redacted(url)}）：请确认 redis-server 已启动、地址和端口正确") from None
    except redis.exceptions.RedisError:  # something else answers on that port
        raise BrokerError(f"{redacted(url)} 上不是 Redis 服务：请检查 --broker 的地址和端口") from None
    finally:
        client.close()


def _has_password(url: str) -> bool:
    rest = url.split("://", 1)[-1]
    return "@" in rest and ":" in rest.rsplit("@", 1)[0] or "password=" in url


def redacted(url: str) -> str:
    """The broker URL without its password (for messages and logs): whatever stands between
    the scheme and the last ``@`` before the host, and any ``password=`` parameter."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" in rest:
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0] if ":" in credentials else ""
        rest = f"{user}:***@{host}"
    rest = re.sub(r"(?i)(password=)[^&#]*", r"\1***", rest)
    return f"{scheme}{sep}{rest}"


def make_broker(url: str, *, middleware: list[Any] | None = None) -> Any:
    from dramatiq.brokers.redis import RedisBroker

    return RedisBroker(
        url=url,
        socket_connect_timeout=5,
        socket_timeout=30,  # a half-open connection (a partition) fails instead of hanging
        health_check_interval=15,
        namespace=NAMESPACE,
        middleware=middleware if middleware is not None else [],
        heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
        maintenance_chance=MAINTENANCE_CHANCE,
    )


def meta_digest(raw: str | bytes) -> str:
    """The name of one version of a sweep's settings (messages carry it)."""
    return hashlib.sha256(raw.encode("utf-8") if isinstance(raw, str) else raw).hexdigest()[:16]


def quiet_dramatiq() -> None:
    """Dramatiq logs in English, some of it at CRITICAL (a lost connection, which spacebot
    says itself in Chinese); its records go to the log only with SPACEBOT_DEBUG set."""
    import logging

    if not os.environ.get("SPACEBOT_DEBUG"):
        log = logging.getLogger("dramatiq")
        log.addHandler(logging.NullHandler())
        log.propagate = False
        log.setLevel(logging.CRITICAL + 10)


def sweep_token(db_path: str, sweep_id: int, key: str) -> str:
    """The sweep's name on the broker: the same for a coordinator restarted on the same
    database, different for another database's sweep of the same targets."""
    return hashlib.sha256(f"{os.path.abspath(db_path)}|{sweep_id}|{key}".encode()).hexdigest()[:20]


def results_queue(token: str) -> str:
    return f"results.{token}"


def sweep_keys(token: str) -> dict[str, str]:
    base = f"{NAMESPACE}:sweep:{token}"
    return {
        "meta": f"{base}:meta",  # the rubric's text and the sweep's settings
        "stored": f"{base}:stored",  # URLs the coordinator has stored
        "enqueued": f"{base}:enqueued",  # URLs enqueued (a restarted coordinator does not enqueue them again)
        "recipes": f"{base}:recipes",  # host → recipe (JSON): the coordinator's book
        "done": f"{base}:done",  # set when the sweep is over: late messages are dropped
        "alive": f"{base}:alive",  # present while Redis still holds the sweep's queue
    }


def stage_key(token: str, job: str) -> str:
    """Where a worker says which stage a self-check page's check has reached."""
    return f"{NAMESPACE}:sweep:{token}:stage:{job}"


def worker_key(worker_id: str) -> str:
    return f"{NAMESPACE}:worker:{worker_id}"


WORKERS_MATCH = f"{NAMESPACE}:worker:*"


def pack(value: Any) -> str | None:
    """A JSON value, compressed, as text (crawl states and artifacts are large)."""
    if value is None:
        return None
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def unpack(text: str | None) -> Any:
    if text is None:
        return None
    return json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))


def pack_blobs(blobs: dict[str, bytes]) -> dict[str, str]:
    return {role: base64.b64encode(zlib.compress(data, 6)).decode("ascii") for role, data in blobs.items()}


def unpack_blobs(blobs: dict[str, str] | None) -> dict[str, bytes]:
    return {role: zlib.decompress(base64.b64decode(text)) for role, text in (blobs or {}).items()}


def target_json(target: Target) -> dict[str, Any]:
    return asdict(target)


def target_from_json(data: dict[str, Any]) -> Target:
    known = {f.name for f in fields(Target)}
    values: dict[str, Any] = {k: v for k, v in data.items() if k in known and (v is None or isinstance(v, str))}
    if not isinstance(values.get("url"), str):
        raise ValueError("message without a target URL")
    return Target(**values)
