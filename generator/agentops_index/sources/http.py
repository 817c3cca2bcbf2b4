"""The one HTTP client factory: allowed hosts only, capped bodies, counted requests, no token leaks.

Every connection goes through :class:`GuardedTransport`, which refuses (and records) any
host but the configured API host and its raw-content host (SECURITY.md §6.1, T9), so a URL
a stranger published can never make us connect anywhere else. Redirects are not followed
by httpx; callers follow the ones they expect, through the same guard. Tokens are sent in
the Authorization header only and :func:`redact` scrubs them from any text we emit (T13).
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import httpx

from agentops_index import __version__

MAX_BODY = 32 * 1024 * 1024  # bytes; a recursive tree is at most ~7 MB
MAX_IN_FLIGHT = 8
# SECURITY.md N-8: connect 5 s, read 20 s, write 10 s, pool 5 s.
TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=5.0)


class HostNotAllowed(httpx.TransportError):
    """A request to a host outside the allowlist (never sent)."""


class BodyTooLarge(httpx.TransportError):
    """A response body over :data:`MAX_BODY`."""


class BudgetExhausted(Exception):
    """``--max-requests`` was reached; no further request is sent."""


@dataclass(slots=True)
class Usage:
    """What a run cost: requests by kind, GraphQL points, refused hosts."""

    requests: Counter[str] = field(default_factory=Counter)  # graphql | rest
    points: int = 0
    refused: list[str] = field(default_factory=list)
    limit: int | None = None

    @property
    def total(self) -> int:
        return sum(self.requests.values())


def raw_host_for(api_host: str) -> str:
    """The raw-content host that belongs to an API host (github.com's, or GHE's own host)."""
    return "raw.githubusercontent.com" if api_host == "api.github.com" else api_host


class GuardedTransport(httpx.AsyncBaseTransport):
    """Send only to allowed (scheme, host, port) origins; record everything else."""

    def __init__(self, allowed: set[tuple[str, str, int]], usage: Usage, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.allowed = allowed
        self.usage = usage
        self.inner = inner or httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.scheme, request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80))
        if origin not in self.allowed:
            self.usage.refused.append(f"{request.url.scheme}://{request.url.host}")
            raise HostNotAllowed(f"refused to connect to {request.url.host}: not an allowed host", request=request)
        if self.usage.limit is not None and self.usage.total >= self.usage.limit:
            raise BudgetExhausted(f"request budget of {self.usage.limit} reached")
        self.usage.requests["graphql" if request.url.path.endswith("/graphql") else "rest"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def origins(api_url: str) -> set[tuple[str, str, int]]:
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"API URL {api_url!r} is not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    hosts = {parts.hostname, raw_host_for(parts.hostname)}
    return {(parts.scheme, host, port) for host in hosts}


def make_client(
    api_url: str,
    token: str | None,
    usage: Usage,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout = TIMEOUT,
) -> httpx.AsyncClient:
    """An httpx client for one API origin: guarded, no redirects, GitHub's JSON media type."""
    headers = {
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": f"agentops-index/{__version__}",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.AsyncClient(
        base_url=api_url.rstrip("/"),
        headers=headers,
        transport=GuardedTransport(origins(api_url), usage, transport),
        follow_redirects=False,
        timeout=timeout,
        trust_env=False,  # no proxies or netrc from the environment
    )


async def read_capped(response: httpx.Response, cap: int = MAX_BODY) -> bytes:
    """The body of a streamed response, refusing more than ``cap`` bytes."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(f"response body over {cap} bytes", request=response.request)
        chunks.append(chunk)
    return b"".join(chunks)


def redact(text: str, secret: str | None) -> str:
    """``text`` with every plain, base64 and URL-encoded form of ``secret`` replaced."""
    if not secret:
        return text
    forms = {secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}
    forms |= {base64.b64encode(f"x-access-token:{secret}".encode()).decode()}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "[redacted]")
    return text


def limiter() -> asyncio.Semaphore:
    return asyncio.Semaphore(MAX_IN_FLIGHT)
