"""A fake GitHub on loopback: REST and GraphQL over real HTTP, in the shapes GitHub uses.

REST answers follow the recorded exchanges in ``../shared/github/octokit-fixtures``: JSON
bodies with GitHub's field names, ``ETag`` with ``If-None-Match`` answered by a free 304,
``X-RateLimit-*`` headers, ``Link`` pagination, ``301`` for renamed repositories, and
``401 Bad credentials`` when a token is required and missing or wrong. GraphQL runs through
graphql-core against GitHub's published schema (``graphql_api.py``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakegithub import graphql_api
from tests.fakegithub.faults import FaultPlan
from tests.fakegithub.world import Repo, World, blob_oid

DOCS = "https://docs.github.com/rest"
SEARCH_CAP = 1000
TREE_CAP = 100_000


@dataclass
class Logged:
    method: str
    path: str
    status: int
    resource: str  # core | graphql | search


@dataclass
class Settings:
    token: str | None = None  # when set, requests must carry it
    log: list[Logged] = field(default_factory=list)
    remaining: dict[str, int] = field(default_factory=lambda: {"core": 5000, "graphql": 5000, "search": 30})
    faults: FaultPlan = field(default_factory=FaultPlan)
    search_cap: int = SEARCH_CAP  # tests lower it to force size slicing
    clock_time: Any = None  # callable giving the client's (possibly fake) epoch time
    in_flight: int = 0
    max_in_flight: int = 0  # the most requests being answered at once
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeGitHub:
    """Serve a :class:`World` on 127.0.0.1 until :meth:`stop`."""

    def __init__(self, world: World, token: str | None = None, port: int = 0) -> None:
        self.world = world
        self.settings = Settings(token=token)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="fake-github", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGitHub:
        graphql_api.schema()  # build once, before the first request
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def log(self) -> list[Logged]:
        return self.settings.log

    def requests(self, resource: str | None = None) -> int:
        return sum(1 for entry in self.log if resource is None or entry.resource == resource)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout fault): nothing to answer

    def _busy(self, delta: int) -> None:
        """Count requests being answered (not idle keep-alive connections)."""
        settings = self.fake.settings
        with settings.lock:
            settings.in_flight += delta
            settings.max_in_flight = max(settings.max_in_flight, settings.in_flight)

    # --- plumbing ---------------------------------------------------------------------------

    def _send(
        self, status: int, body: Any, resource: str, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        etag = f'W/"{hashlib.sha1(data).hexdigest()}"'
        remaining = self.fake.settings.remaining
        if status == 200 and self.command == "GET" and self.headers.get("If-None-Match") == etag:
            status, data = 304, b""  # conditional requests that hit are free
        elif status != 401:
            remaining[resource] = max(remaining[resource] - 1, 0)
        self.fake.settings.log.append(Logged(self.command, self.path, status, resource))
        self.send_response(status)
        limit = {"core": 5000, "graphql": 5000, "search": 30}[resource]
        for key, value in {
            "Content-Type": "application/json; charset=utf-8" if raw is None else "application/vnd.github.raw; charset=utf-8",
            "Content-Length": str(len(data)),
            "ETag": etag,
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining[resource]),
            "X-RateLimit-Used": str(limit - remaining[resource]),
            "X-RateLimit-Reset": "1893456000",
            "X-RateLimit-Resource": resource,
            "X-GitHub-Media-Type": "github.v3; format=json",
            **(headers or {}),
        }.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _fault(self, resource: str, payload: bytes = b"") -> bool:
        """Answer with an injected fault when the plan picks one; True when it did."""
        kind = self.fake.settings.faults.pick(f"{self.command} {self.path} {hashlib.sha1(payload).hexdigest()}")
        if kind is None:
            return False
        self.fake.settings.log.append(Logged(self.command, self.path, 0, resource))
        if kind == "reset":
            self.close_connection = True
            return True
        if kind == "timeout":
            import time

            # The client gives up after its read timeout and may reuse the slot: this request
            # no longer counts as in flight while it hangs.
            self._busy(-1)
            time.sleep(self.fake.settings.faults.timeout_seconds)
            self._busy(+1)
            self.close_connection = True
            return True
        now = self.fake.settings.clock_time() if self.fake.settings.clock_time else 1_767_225_600
        status, body, headers = {
            "server_error": (502, {"message": "Server Error"}, {}),
            "secondary": (
                403,
                {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."},
                {"Retry-After": "30"},
            ),
            "secondary_no_header": (
                403,
                {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."},
                {},
            ),
            "too_many": (429, {"message": "Too many requests"}, {"Retry-After": "7"}),
            "primary": (
                403,
                {"message": "API rate limit exceeded"},
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(now) + 120)},
            ),
            "truncated": (200, None, {}),
            "malformed": (200, None, {}),
        }[kind]
        data = json.dumps(body).encode() if body is not None else b'{"data": {"r0": {"nameWith'
        self.send_response(status)
        for key, value in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
            self.send_header(key, value)
        if kind == "truncated":
            self.send_header("Content-Length", str(len(data) * 4))
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return True
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return True

    def _authorized(self, resource: str) -> bool:
        token = self.fake.settings.token
        if token is None:
            return True
        given = self.headers.get("Authorization", "")
        if given in (f"Bearer {token}", f"token {token}"):
            return True
        self._send(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}, resource)
        return False

    def _not_found(self, resource: str = "core") -> None:
        self._send(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}, resource)

    # --- verbs ------------------------------------------------------------------------------

    def do_POST(self) -> None:
        self._busy(+1)
        try:
            self._post()
        finally:
            self._busy(-1)

    def do_GET(self) -> None:
        self._busy(+1)
        try:
            self._get()
        finally:
            self._busy(-1)

    def _post(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length)
        if urlsplit(self.path).path.rstrip("/") not in ("/graphql", "/api/graphql"):
            self._not_found()
            return
        if self._fault("graphql", payload) or not self._authorized("graphql"):
            return
        try:
            body = json.loads(payload)
        except ValueError:
            body = None
        counter = {"remaining": self.fake.settings.remaining["graphql"]}
        status, answer = graphql_api.answer(self.fake.world, body, counter)
        self._send(status, answer, "graphql")

    def _get(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        resource = "search" if path.startswith("/search/") else "core"
        if self._fault(resource) or not self._authorized(resource):
            return
        for pattern, method in _ROUTES:
            match = pattern.fullmatch(path)
            if match:
                method(self, query, *match.groups())
                return
        self._not_found(resource)

    # --- REST routes ----------------------------------------------------------------------------

    def _repo(self, owner: str, name: str) -> Repo | None:
        repo = self.fake.world.get(f"{owner}/{name}")
        if repo is None and f"{owner}/{name}".lower() in self.fake.world.renames:
            moved = self.fake.world.get(self.fake.world.renames[f"{owner}/{name}".lower()])
            if moved is not None:
                location = f"{self.fake.url}/repositories/{moved.number}"
                self._send(
                    301,
                    {
                        "message": "Moved Permanently",
                        "url": location,
                        "documentation_url": "https://docs.github.com/v3/#http-redirects",
                    },
                    "core",
                    {"Location": location},
                )
                return None
        if repo is None:
            self._not_found()
        return repo

    def repository(self, query: dict[str, str], owner: str, name: str) -> None:
        repo = self._repo(owner, name)
        if repo is not None:
            self._send(200, repository_json(repo, self.fake.url), "core")

    def repository_by_id(self, query: dict[str, str], number: str) -> None:
        repo = self.fake.world.by_number(int(number))
        if repo is None:
            self._not_found()
        else:
            self._send(200, repository_json(repo, self.fake.url), "core")

    def tree(self, query: dict[str, str], owner: str, name: str, sha: str) -> None:
        repo = self._repo(owner, name)
        if repo is None:
            return
        if not repo.resolves(sha):
            self._send(422, {"message": "No commit found for the ref " + sha, "documentation_url": DOCS, "status": "422"}, "core")
            return
        entries = [
            {
                "path": d,
                "mode": "040000",
                "type": "tree",
                "sha": repo.tree_oid(d),
                "url": f"{self.fake.url}/repos/{repo.full_name}/git/trees/{repo.tree_oid(d)}",
            }
            for d in repo.directories()
        ]
        entries += [
            {
                "path": p,
                "mode": "100644",
                "type": "blob",
                "sha": blob_oid(data),
                "size": len(data),
                "url": f"{self.fake.url}/repos/{repo.full_name}/git/blobs/{blob_oid(data)}",
            }
            for p, data in repo.files.items()
        ]
        entries += [
            {"path": p, "mode": "120000", "type": "blob", "sha": blob_oid(t.encode()), "size": len(t)}
            for p, t in repo.symlinks.items()
        ]
        entries.sort(key=lambda e: e["path"])
        truncated = query.get("recursive") is not None and len(entries) > TREE_CAP
        self._send(
            200,
            {
                "sha": repo.head,
                "url": f"{self.fake.url}/repos/{repo.full_name}/git/trees/{repo.head}",
                "tree": entries[:TREE_CAP],
                "truncated": truncated,
            },
            "core",
        )

    def blob(self, query: dict[str, str], owner: str, name: str, sha: str) -> None:
        repo = self._repo(owner, name)
        if repo is None:
            return
        data = next((d for d in repo.files.values() if blob_oid(d) == sha), None)
        if data is None:
            self._not_found()
            return
        self._send(
            200,
            {
                "sha": sha,
                "node_id": "B_" + sha[:8],
                "size": len(data),
                "url": "",
                "content": base64.b64encode(data).decode(),
                "encoding": "base64",
            },
            "core",
        )

    def contents(self, query: dict[str, str], owner: str, name: str, path: str) -> None:
        repo = self._repo(owner, name)
        if repo is None:
            return
        path = path.strip("/")
        if path in repo.files:
            data = repo.files[path]
            if "raw" in (self.headers.get("Accept") or ""):
                self._send(200, None, "core", raw=data)
                return
            self._send(
                200,
                {
                    "type": "file",
                    "encoding": "base64",
                    "size": len(data),
                    "name": path.rsplit("/", 1)[-1],
                    "path": path,
                    "content": base64.b64encode(data).decode(),
                    "sha": blob_oid(data),
                },
                "core",
            )
            return
        if path == "" or path in repo.directories():
            tree = graphql_api._tree(repo, path)
            self._send(
                200,
                [
                    {"type": "dir" if e["type"] == "tree" else "file", "name": e["name"], "path": e["path"], "sha": e["oid"]}
                    for e in tree["entries"]
                ],
                "core",
            )
            return
        self._not_found()

    def search_code(self, query: dict[str, str], *_: str) -> None:
        """Code search for files by name and path, with GitHub's size qualifier and 1,000-result cap."""
        q = query.get("q", "")
        per_page = min(int(query.get("per_page", "30")), 100)
        page = int(query.get("page", "1"))
        cap = self.fake.settings.search_cap
        if (page - 1) * per_page >= cap:
            self._send(
                422,
                {"message": "Only the first 1000 search results are available", "documentation_url": DOCS, "status": "422"},
                "search",
            )
            return
        filename = re.search(r"filename:(\S+)", q)
        in_path = re.search(r"path:(\S+)", q)
        size = re.search(r"size:(\d+)\.\.(\d+)", q)
        terms = [t.encode() for t in re.findall(r'"([^"]+)"', q)]  # quoted text, matched in the file's content
        hits = []
        for repo in sorted(self.fake.world.repos.values(), key=lambda r: r.full_name.lower()):
            for path, data in sorted(repo.files.items()):
                if filename and path.rsplit("/", 1)[-1] != filename.group(1):
                    continue
                if in_path and not path.startswith(in_path.group(1).strip("/")):
                    continue
                if size and not (int(size.group(1)) <= len(data) <= int(size.group(2))):
                    continue
                if not all(t in data for t in terms):
                    continue
                hits.append((repo, path, data))
        items = [
            {
                "name": p.rsplit("/", 1)[-1],
                "path": p,
                "sha": blob_oid(d),
                "repository": {"full_name": r.full_name, "name": r.name, "owner": {"login": r.owner}, "fork": False},
                "score": 1.0,
            }
            for r, p, d in hits[(page - 1) * per_page : min(page * per_page, cap)]
        ]
        headers = {}
        last = (min(len(hits), cap) + per_page - 1) // per_page
        if page < last:
            base = f"{self.fake.url}/search/code?q={q}&per_page={per_page}"
            headers["Link"] = f'<{base}&page={page + 1}>; rel="next", <{base}&page={last}>; rel="last"'
        self._send(200, {"total_count": len(hits), "incomplete_results": False, "items": items}, "search", headers)

    def rate_limit(self, query: dict[str, str], *_: str) -> None:
        remaining = self.fake.settings.remaining
        resources = {
            k: {"limit": v, "remaining": remaining[k], "reset": 1893456000, "used": v - remaining[k]}
            for k, v in (("core", 5000), ("graphql", 5000), ("search", 30))
        }
        self._send(200, {"resources": resources, "rate": resources["core"]}, "core")


_ROUTES = [
    (re.compile(r"/(?:api/v3/)?repos/([^/]+)/([^/]+)"), _Handler.repository),
    (re.compile(r"/(?:api/v3/)?repositories/(\d+)"), _Handler.repository_by_id),
    (re.compile(r"/(?:api/v3/)?repos/([^/]+)/([^/]+)/git/trees/([^/]+)"), _Handler.tree),
    (re.compile(r"/(?:api/v3/)?repos/([^/]+)/([^/]+)/git/blobs/([0-9a-f]{40})"), _Handler.blob),
    (
        re.compile(r"/(?:api/v3/)?repos/([^/]+)/([^/]+)/contents(/.*)?"),
        lambda self, q, o, n, p: _Handler.contents(self, q, o, n, p or ""),
    ),
    (re.compile(r"/(?:api/v3/)?search/code()"), _Handler.search_code),
    (re.compile(r"/(?:api/v3/)?rate_limit()"), _Handler.rate_limit),
]


def repository_json(repo: Repo, base: str) -> dict[str, Any]:
    """The REST repository object (the fields of the recorded get-repository exchange we use)."""
    return {
        "id": repo.number,
        "node_id": f"R_{repo.number}",
        "name": repo.name,
        "full_name": repo.full_name,
        "private": False,
        "owner": {"login": repo.owner, "id": repo.number, "type": "Organization"},
        "html_url": f"https://github.com/{repo.full_name}",
        "description": None,
        "fork": False,
        "url": f"{base}/repos/{repo.full_name}",
        "created_at": repo.created_at,
        "updated_at": repo.pushed_at,
        "pushed_at": repo.pushed_at,
        "stargazers_count": repo.stars,
        "watchers_count": repo.stars,
        "subscribers_count": repo.watchers,
        "forks_count": repo.forks,
        "open_issues_count": repo.open_issues,
        "license": {"key": repo.license.lower(), "spdx_id": repo.license, "name": repo.license} if repo.license else None,
        "topics": repo.topics,
        "default_branch": repo.default_branch,
        "archived": repo.archived,
        "disabled": False,
        "visibility": "public",
    }
