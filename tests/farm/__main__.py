"""Serve the farm: ``python -m tests.farm`` prints every space's URL and waits."""

from __future__ import annotations

import time

from . import Farm

if __name__ == "__main__":
    with Farm() as farm:
        for fs in farm.spaces:
            print(f"{fs.key:24} {fs.url}    # {fs.spec.notes}", flush=True)
        print("按 Ctrl+C 停止。", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
