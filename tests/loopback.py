"""Shared by the tests that read a served site: a loopback HTTP server with ETags, and a machine
with python3 alone (the plugins' reader)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FENCE = re.compile(r"^DATA ([0-9a-f]{24}) (BEGIN|END)$", re.M)


class Site:
    """Files by URL path (``files``), else under ``root``; an ETag is the body's digest and a
    matching ``If-None-Match`` gets a 304; anything else is a 404. ``requests`` logs (path,
    If-None-Match, status) of each request."""

    def __init__(self, files: dict[str, bytes] | None = None, root: Path | None = None) -> None:
        self.files = files if files is not None else {}
        self.root = root
        self.requests: list[tuple[str, str | None, int]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                body = site.files.get(path)
                file = (site.root / path.lstrip("/")).resolve() if site.root is not None else None
                if (
                    body is None
                    and file is not None
                    and site.root is not None
                    and file.is_relative_to(site.root.resolve())
                    and file.is_file()
                ):
                    body = file.read_bytes()
                asked = self.headers.get("If-None-Match")
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"' if body is not None else None
                status = 404 if body is None else 304 if asked == etag else 200
                site.requests.append((path, asked, status))
                self.send_response(status)
                if status == 200 and body is not None and etag is not None:
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def bare_env(tmp_path: Path, snapshot: str | None = None) -> dict[str, str]:
    """A machine with python3 (this interpreter without site-packages or the environment:
    ``-I -S``, the standard library alone) and no agentops-index on PATH; a fresh cache."""
    folder = tmp_path / "bare-bin"
    folder.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    (folder / "python3").write_text(f'#!/bin/sh\nexec "{base}" -I -S "$@"\n')
    (folder / "python3").chmod(0o755)
    path = f"{folder}:/usr/bin:/bin"
    assert shutil.which("agentops-index", path=path) is None
    env = {"PATH": path, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache"), "LANG": "C.UTF-8"}
    if snapshot is not None:
        env["AGENTOPS_SNAPSHOT"] = snapshot
    return env


def fenced_json(output: str) -> Any:
    """The JSON between the one pair of fence lines (with one token that nothing inside repeats)."""
    fences = FENCE.findall(output)
    assert [kind for _, kind in fences] == ["BEGIN", "END"] and fences[0][0] == fences[1][0], output[:500]
    body = output.split(f"DATA {fences[0][0]} BEGIN\n", 1)[1].split(f"\nDATA {fences[0][0]} END", 1)[0]
    assert fences[0][0] not in body
    return json.loads(body)
