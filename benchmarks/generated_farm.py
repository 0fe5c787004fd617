"""One generated platform with N spaces, served for the sweep benchmark in its own process.

    .venv/bin/python -m benchmarks.generated_farm --kind layout_api|spa --spaces N [--latency S] [--declared-counts]
        [--lessons K]

draws the first platform (seeds from 1000 on) of the kind asked for (with
``--declared-counts``, the first whose module boxes declare their collections' counts), with N spaces on its
host: ``layout_api`` is a server-rendered layout whose pages carry scripts (a layout
script asking an API, lists grown by 加载更多 or scrolling from a JSON API) and whose
resources include micro-course videos, so one host serves pages read over HTTP, pages
that need the browser and video files; ``spa`` is a single-page app drawn from JSON. It
prints one JSON line (the spaces' URLs and the base URL), then serves until killed.
``GET /__stats`` (``?paths=1`` for the log) gives the requests seen (method, path and
Range), and the most requests the host had in flight at once.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import Any

from tests.farm.server import Request, Response
from tests.generator import GeneratedFarm
from tests.generator.draw import first_seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("layout_api", "spa"), default="layout_api")
    parser.add_argument("--spaces", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.005)
    parser.add_argument(
        "--declared-counts", action="store_true", help="a platform whose module boxes declare their counts"
    )
    parser.add_argument(
        "--lessons", type=int, help="at most this many micro-course videos per space (fewer title cards to read)"
    )
    args = parser.parse_args()
    seed = first_seed(args.kind, box_counts=True if args.declared_counts else None)
    farm = GeneratedFarm(0, 1, spaces=args.spaces, seeds=[seed], lessons=args.lessons)
    farm.start()
    server = farm.servers[0]
    server.latency = args.latency
    route = server.route
    log: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def logged(req: Request) -> Response:
        if req.path == "/__stats":
            body: dict[str, Any] = {
                "requests": len(log),
                "max_inflight": server.max_inflight,
                "peak_paths": server.peak_paths,
                "peak_at": server.peak_at,
            }
            body["log"] = list(log) if req.q("paths") else []
            return Response(200, json.dumps(body).encode(), "application/json")
        with lock:
            log.append((req.method, req.raw_path, req.headers.get("Range", "")))
        return route(req)

    server.route = logged
    print(json.dumps({"base": server.base_url, "urls": [s.url for s in farm.spaces]}), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        farm.stop()


if __name__ == "__main__":
    main()
