"""Serve a folder of owner__repo/ checkouts as a fake GitHub until interrupted."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from tests.fakegithub import FakeGitHub, World


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakegithub", description=__doc__)
    parser.add_argument("--repos", type=Path, required=True, help="a folder of owner__repo/ checkouts")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--token", default=None, help="require this token (default: accept any request)")
    args = parser.parse_args()
    fake = FakeGitHub(World.from_folder(args.repos), token=args.token, port=args.port).start()
    print(fake.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
