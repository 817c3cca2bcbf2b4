"""GitHub's REST and GraphQL APIs, as the crawl uses them: few requests, many repositories each.

- :meth:`GitHub.repositories`: metrics, head oid, the marketplace.json text, and whether Codex's
  or Cursor's catalog is there, of up to :data:`REPOS_PER_QUERY` repositories per GraphQL request
  (aliases, variables only).
- :meth:`GitHub.tree`: one recursive git tree per changed repository (REST).
- :meth:`GitHub.blobs`: file contents for many (repository, path) pairs per GraphQL request.

Errors that concern one repository come back in its result; errors that concern the run
(bad credentials) raise :class:`AuthError`. Messages never contain the token.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from agentops_index.errors import AgentopsError
from agentops_index.sources.http import TIMEOUT, BudgetExhausted, Usage, limiter, make_client, read_capped, redact
from agentops_index.sources.policy import ATTEMPTS, CircuitOpen, Throttle

REPOS_PER_QUERY = 100  # PERFORMANCE.md: 120 aliases worked, 227 failed
BLOBS_PER_QUERY = 200
BLOB_BYTES_PER_QUERY = 4 * 1024 * 1024
MARKETPLACE_PATH = ".claude-plugin/marketplace.json"
# Other clients' catalogs, by the alias that asks for them: only whether they are there (their
# text comes with the repository's other root files, sources/checkout.py).
OTHER_CATALOGS = {"codex": ".agents/plugins/marketplace.json", "cursor": ".cursor-plugin/marketplace.json"}

REPO_FIELDS = """
fragment RepoFields on Repository {
  nameWithOwner
  stargazerCount
  forkCount
  watchers { totalCount }
  issues(states: OPEN) { totalCount }
  createdAt
  pushedAt
  isArchived
  isFork
  parent { nameWithOwner }
  licenseInfo { spdxId }
  repositoryTopics(first: 20) { nodes { topic { name } } }
  defaultBranchRef { name target { oid } }
}
"""


class AuthError(AgentopsError):
    """GitHub refused the credentials: the whole run stops."""


class GitHubError(Exception):
    """A request for some repositories failed; the message is safe to record."""


class Gone(GitHubError):
    """404, 410 or 451: the repository is not there (a tombstone for its source)."""


@dataclass(slots=True)
class RepoRef:
    owner: str
    name: str
    ref: str | None = None  # branch, tag or sha; None for the default branch

    @property
    def id(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(slots=True)
class RepoInfo:
    """What one batched GraphQL query says about a repository."""

    id: str
    found: bool
    error: str | None = None
    name_with_owner: str | None = None
    head_oid: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    marketplace: str | None = None  # marketplace.json text, None when absent
    marketplace_size: int = 0
    others: tuple[str, ...] = ()  # the clients of OTHER_CATALOGS whose catalog is there (a file)


@dataclass(slots=True)
class TreeEntry:
    path: str
    type: str  # blob | tree
    mode: str
    size: int = 0


def graphql_url(api_url: str) -> str:
    """GraphQL endpoint of an API base: /graphql on github.com, /api/graphql on GitHub Enterprise."""
    parts = urlsplit(api_url.rstrip("/"))
    if parts.path.endswith("/api/v3"):
        return api_url.rstrip("/")[: -len("/v3")] + "/graphql"
    return api_url.rstrip("/") + "/graphql"


def repositories_query(refs: list[RepoRef]) -> tuple[str, dict[str, Any]]:
    """One GraphQL document for many repositories; every value travels as a variable."""
    params, fields, variables = [], [], {}
    for i, ref in enumerate(refs):
        params.append(f"$o{i}: String!, $n{i}: String!, $m{i}: String!, $h{i}: String!")
        at = ref.ref or "HEAD"
        variables.update({f"o{i}": ref.owner, f"n{i}": ref.name, f"m{i}": f"{at}:{MARKETPLACE_PATH}", f"h{i}": at})
        others = ""
        for client, path in OTHER_CATALOGS.items():
            params.append(f"${client}{i}: String!")
            variables[f"{client}{i}"] = f"{at}:{path}"
            others += f"{client}: object(expression: ${client}{i}) {{ ... on Blob {{ byteSize }} }} "
        fields.append(
            f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...RepoFields "
            f"head: object(expression: $h{i}) {{ oid }} "
            f"marketplace: object(expression: $m{i}) {{ ... on Blob {{ text byteSize isBinary }} }} {others}}}"
        )
    query = (
        f"query Repositories({', '.join(params)}) {{\n  rateLimit {{ cost remaining }}\n"
        + "\n".join(fields)
        + "\n}\n"
        + REPO_FIELDS
    )
    return query, variables


def blobs_query(wanted: list[tuple[RepoRef, str, str]]) -> tuple[str, dict[str, Any]]:
    """One GraphQL document reading many files: ``wanted`` is (repository, oid, path)."""
    by_repo: dict[str, list[tuple[int, str, str]]] = {}
    refs: dict[str, RepoRef] = {}
    for index, (ref, oid, path) in enumerate(wanted):
        by_repo.setdefault(ref.id, []).append((index, oid, path))
        refs[ref.id] = ref
    params, fields, variables = [], [], {}
    for r, (repo_id, items) in enumerate(by_repo.items()):
        params.append(f"$o{r}: String!, $n{r}: String!")
        variables.update({f"o{r}": refs[repo_id].owner, f"n{r}": refs[repo_id].name})
        objects = []
        for index, oid, path in items:
            params.append(f"$e{index}: String!")
            variables[f"e{index}"] = f"{oid}:{path}"
            objects.append(f"f{index}: object(expression: $e{index}) {{ ... on Blob {{ text byteSize isBinary }} }}")
        fields.append(f"  r{r}: repository(owner: $o{r}, name: $n{r}) {{ " + " ".join(objects) + " }")
    query = f"query Blobs({', '.join(params)}) {{\n  rateLimit {{ cost remaining }}\n" + "\n".join(fields) + "\n}\n"
    return query, variables


def json_object(body: bytes) -> dict[str, Any]:
    """A response body that must be a JSON object (ValueError otherwise: retried as truncated)."""
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _metrics(node: dict[str, Any], head: str | None) -> dict[str, Any]:
    topics = node.get("repositoryTopics") or {}
    licence = node.get("licenseInfo") or {}
    parent = node.get("parent") or {}
    return {
        "stars": int(node.get("stargazerCount") or 0),
        "forks": int(node.get("forkCount") or 0),
        "watchers": int((node.get("watchers") or {}).get("totalCount") or 0),
        "open_issues": int((node.get("issues") or {}).get("totalCount") or 0),
        "created_at": node.get("createdAt"),
        "pushed_at": node.get("pushedAt"),
        "archived": bool(node.get("isArchived")),
        "fork_of": parent.get("nameWithOwner"),
        "license": licence.get("spdxId"),
        "topics": sorted(str(n["topic"]["name"]) for n in topics.get("nodes") or [] if n and n.get("topic")),
        "head_oid": head,
    }


class GitHub:
    """An async GitHub API client bound to one API base URL."""

    def __init__(
        self,
        api_url: str,
        token: str | None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_requests: int | None = None,
        throttle: Throttle | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.usage = Usage(limit=max_requests)
        self.client = make_client(self.api_url, token, self.usage, transport, timeout or TIMEOUT)
        self.gate = limiter()
        self.graphql_endpoint = graphql_url(self.api_url)
        self.throttle = throttle or Throttle()

    async def close(self) -> None:
        await self.client.aclose()

    def safe(self, text: str) -> str:
        return redact(text, self.token)

    async def _request(
        self, method: str, url: str, check: Callable[[bytes], Any] | None = None, **kwargs: Any
    ) -> tuple[int, bytes, httpx.Headers, Any]:
        """Send with the retry policy of ``policy.py``; ``check`` parses a 200 body or raises ValueError."""
        error = "no attempt"
        for attempt in range(ATTEMPTS):
            async with self.gate:
                try:
                    await self.throttle.wait()  # inside the gate: nobody sends during a pause
                    self.throttle.note("send", url)
                    async with self.client.stream(method, url, **kwargs) as response:
                        body = await read_capped(response)
                except (BudgetExhausted, CircuitOpen) as exc:
                    raise GitHubError(
                        self.safe(str(exc) if isinstance(exc, CircuitOpen) else f"budget_exhausted: {exc}")
                    ) from None
                except httpx.HTTPError as exc:
                    error = self.safe(f"transport: {type(exc).__name__}")
                    self.throttle.note("response", error)
                    response = None
            if response is not None:
                status, headers = response.status_code, response.headers
                self.throttle.note("response", str(status), _float(headers.get("retry-after")))
                if status == 401:
                    raise AuthError("GitHub answered 401 Bad credentials: check the token named by --token-env")
                if status in (404, 410, 451):
                    raise Gone(f"gone: HTTP {status}")
                if status in (403, 429):
                    try:
                        if not self.throttle.rate_limited(status, {k.lower(): v for k, v in headers.items()}, body, attempt):
                            raise GitHubError(f"forbidden: HTTP {status}")
                    except CircuitOpen as exc:
                        raise GitHubError(str(exc)) from None
                    error = f"rate_limited: HTTP {status}"
                    continue
                if status < 500:
                    if status == 200 and check is not None:
                        try:
                            return status, body, headers, check(body)
                        except (ValueError, RecursionError):
                            error = "truncated: the answer did not parse"
                    else:
                        return status, body, headers, None
                else:
                    error = f"server_error: HTTP {status}"
            if attempt + 1 < ATTEMPTS:
                try:
                    await self.throttle.backoff(attempt)
                except CircuitOpen as exc:
                    raise GitHubError(str(exc)) from None
        raise GitHubError(f"{error} (after {ATTEMPTS} attempts)")

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        status, _, _, answer = await self._request(
            "POST", self.graphql_endpoint, check=json_object, json={"query": query, "variables": variables}
        )
        if status != 200:
            raise GitHubError(f"graphql: HTTP {status}")
        cost = ((answer.get("data") or {}).get("rateLimit") or {}).get("cost")
        self.usage.points += int(cost) if isinstance(cost, int) else 1
        if answer.get("data") is None:
            first = (answer.get("errors") or [{}])[0]
            raise GitHubError(self.safe(f"graphql: {str(first.get('message'))[:300]}"))
        return dict(answer)

    async def repositories(self, refs: list[RepoRef]) -> list[RepoInfo]:
        """Metrics, head oid and marketplace.json of every ref (in order), :data:`REPOS_PER_QUERY` per request."""
        batches = [refs[i : i + REPOS_PER_QUERY] for i in range(0, len(refs), REPOS_PER_QUERY)]
        results = await asyncio.gather(*(self._repositories(batch) for batch in batches))
        return [info for batch in results for info in batch]

    async def _repositories(self, refs: list[RepoRef]) -> list[RepoInfo]:
        query, variables = repositories_query(refs)
        try:
            answer = await self.graphql(query, variables)
        except GitHubError as exc:
            if len(refs) > 1 and "HTTP 502" in str(exc):  # resource limits: halve and retry
                half = len(refs) // 2
                return await self._repositories(refs[:half]) + await self._repositories(refs[half:])
            return [RepoInfo(ref.id, found=False, error=str(exc)) for ref in refs]
        errors = {str((e.get("path") or [""])[0]): e for e in answer.get("errors") or [] if isinstance(e, dict)}
        out = []
        for i, ref in enumerate(refs):
            node = answer["data"].get(f"r{i}")
            if not isinstance(node, dict):
                error = errors.get(f"r{i}", {})
                kind = "not_found" if error.get("type") == "NOT_FOUND" else "graphql_error"
                out.append(
                    RepoInfo(ref.id, found=False, error=self.safe(f"{kind}: {str(error.get('message') or 'no data')[:300]}"))
                )
                continue
            head = (node.get("head") or {}).get("oid")
            if head is None and ref.ref:
                out.append(RepoInfo(ref.id, found=False, error=self.safe(f"ref_not_found: {ref.id} has no {ref.ref[:80]!r}")))
                continue
            head = head or ((node.get("defaultBranchRef") or {}).get("target") or {}).get("oid")
            blob = node.get("marketplace") or {}
            out.append(
                RepoInfo(
                    ref.id,
                    found=True,
                    name_with_owner=node.get("nameWithOwner"),
                    head_oid=head,
                    metrics=_metrics(node, head),
                    marketplace=blob.get("text") if not blob.get("isBinary") else None,
                    marketplace_size=int(blob.get("byteSize") or 0),
                    others=tuple(c for c in OTHER_CATALOGS if isinstance(node.get(c), dict) and "byteSize" in node[c]),
                )
            )
        return out

    async def tree(self, ref: RepoRef, oid: str) -> tuple[list[TreeEntry], bool]:
        """Every entry of a commit's tree (one request) and whether GitHub truncated it."""
        url = f"/repos/{quote(ref.owner, safe='')}/{quote(ref.name, safe='')}/git/trees/{quote(oid, safe='')}"
        status, _, _, answer = await self._request("GET", url, check=json_object, params={"recursive": "1"})
        if status != 200:
            raise GitHubError(f"tree: HTTP {status}")
        try:
            entries = [
                TreeEntry(str(e["path"]), str(e["type"]), str(e.get("mode", "")), int(e.get("size") or 0))
                for e in answer.get("tree") or []
                if isinstance(e, dict) and isinstance(e.get("path"), str)
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise GitHubError("tree: answer is not a git tree") from None
        return entries, bool(answer.get("truncated"))

    async def blobs(
        self, wanted: list[tuple[RepoRef, str, str, int]]
    ) -> tuple[dict[tuple[str, str], bytes | None], dict[str, str]]:
        """Contents of (repository, oid, path, size) files, packed by count and size per request.

        Returns the contents and, for repositories with a file in a batch that failed for
        good, the error: one failed request never fails repositories outside it.
        """
        batches: list[list[tuple[RepoRef, str, str]]] = [[]]
        size = 0
        for ref, oid, path, length in wanted:
            if batches[-1] and (len(batches[-1]) >= BLOBS_PER_QUERY or size + length > BLOB_BYTES_PER_QUERY):
                batches.append([])
                size = 0
            batches[-1].append((ref, oid, path))
            size += length
        results = await asyncio.gather(*(self._blobs(batch) for batch in batches if batch), return_exceptions=True)
        contents: dict[tuple[str, str], bytes | None] = {}
        failed: dict[str, str] = {}
        for batch, result in zip((b for b in batches if b), results, strict=True):
            if isinstance(result, AuthError):
                raise result
            if isinstance(result, BaseException):
                if not isinstance(result, GitHubError):
                    raise result
                for ref, _oid, _path in batch:
                    failed.setdefault(ref.id, str(result))
            else:
                contents.update(result)
        return contents, failed

    async def _blobs(self, batch: list[tuple[RepoRef, str, str]]) -> dict[tuple[str, str], bytes | None]:
        query, variables = blobs_query(batch)
        answer = await self.graphql(query, variables)
        data = answer["data"]
        out: dict[tuple[str, str], bytes | None] = {}
        repo_alias: dict[str, str] = {}
        for ref, _oid, _path in batch:
            repo_alias.setdefault(ref.id, f"r{len(repo_alias)}")
        for index, (ref, _oid, path) in enumerate(batch):
            node = (data.get(repo_alias[ref.id]) or {}).get(f"f{index}") or {}
            text = node.get("text") if not node.get("isBinary") else None
            out[(ref.id, path)] = text.encode("utf-8") if isinstance(text, str) else None
        return out
