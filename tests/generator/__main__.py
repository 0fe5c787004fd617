"""Serve generated platforms by hand:

    python -m tests.generator --seed S [--count N] [--json]

prints each space's entry URL with a short summary of how it was drawn (``--json``: one
JSON line with the platforms' base URLs, for a benchmark that serves them in a separate
process), then serves until interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .farm import GeneratedFarm


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.generator", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, default=1, help="platforms to draw (default 1)")
    parser.add_argument("--json", action="store_true", help="print the platforms' base URLs as one JSON line")
    args = parser.parse_args(argv)
    with GeneratedFarm(args.seed, args.count) as farm:
        if args.json:
            print(json.dumps({"seed": args.seed, "bases": farm.bases()}), flush=True)
        else:
            for space in farm.spaces:
                print(f"[{space.platform_index}] {space.url}\n    {space.family_summary}")
            print(f"serving {len(farm.platforms)} platform(s), {len(farm.spaces)} space(s); Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            sys.stdout.flush()


if __name__ == "__main__":
    main()
