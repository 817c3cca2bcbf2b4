"""A built site (or any folder) served on loopback as GitHub Pages serves it, counting the bytes.

Text files (HTML, JSON, JS, CSS, SVG, text, XML) are gzip-compressed when the client asks, other
files (Pagefind's, ``*.gz``) are sent as they are; every answer has an ETag and a matching
``If-None-Match`` gets a 304; a folder answers with its ``index.html``. ``sent`` counts the bytes
of the bodies sent, ``kinds`` the same by what ``kind`` (if given) calls each path.
"""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TEXT = (".html", ".json", ".js", ".css", ".svg", ".txt", ".xml")


class Served:
    def __init__(self, folder: Path, kind: Callable[[str], str] | None = None) -> None:
        self.sent = 0
        self.lock = threading.Lock()
        self.kinds: Counter[str] = Counter()
        served = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def do_GET(self) -> None:
                path = folder / self.path.split("?", 1)[0].lstrip("/")
                if path.is_dir():
                    path = path / "index.html"
                if not path.is_file():
                    self.send_error(404)
                    return
                stat = path.stat()
                etag = f'"{stat.st_mtime_ns}-{stat.st_size}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                body = path.read_bytes()
                zipped = path.suffix in TEXT and "gzip" in (self.headers.get("Accept-Encoding") or "")
                if zipped:
                    body = gzip.compress(body, 6)
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Type", self.guess_type(str(path)))
                if zipped:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                with served.lock:  # answers are written by many threads at once
                    served.sent += len(body)
                    if kind is not None:
                        served.kinds[kind(self.path)] += len(body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
