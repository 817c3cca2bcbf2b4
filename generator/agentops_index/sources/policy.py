"""When to retry, how long to wait, and when to give up (SECURITY.md §6.2, N-1..N-4).

| condition                                  | action                                          |
|--------------------------------------------|-------------------------------------------------|
| 5xx, reset, timeout, truncated body        | full-jitter backoff ``uniform(0, min(30, 2^n))`` |
| 403/429 with ``Retry-After``               | pause *every* request that long (+ <=1 s jitter) |
| 403/429 with ``x-ratelimit-remaining: 0``  | pause until the reset if <= 15 min, else open    |
| 403 secondary limit / 429 without headers  | pause 60 s, then 120 s, then 240 s               |
| 401                                        | abort the run                                   |
| 404 / 410 / 451                            | a tombstone for the source; no retry            |
| anything else                              | no retry                                        |

At most 3 attempts per request. Pauses are global (a rate limit applies to the client, not
to one request) and charged to a run-wide sleep budget; when the budget or a primary-limit
wait would be exceeded, the circuit opens and every further request fails fast, so the
remaining sources are kept from the previous snapshot as stale. The clock is injectable: tests
run on a fake clock and check that no request is ever sent before a ``Retry-After`` expires.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Protocol

ATTEMPTS = 3
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
SLEEP_BUDGET = 15 * 60.0
PRIMARY_WAIT_MAX = 15 * 60.0
SECONDARY_DEFAULT = 60.0
RUN_DEADLINE = 45 * 60.0  # SECURITY.md N-8: the whole crawl, measured on the run's clock


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class CircuitOpen(Exception):
    """The run stopped sending requests (sleep budget spent or primary limit far away)."""


@dataclass
class Event:
    at: float
    kind: str  # send | response | pause
    detail: str = ""
    retry_after: float | None = None


@dataclass
class Throttle:
    """Shared retry state for one run: the global pause, the sleep budget, the circuit."""

    clock: Clock = field(default_factory=RealClock)
    rng: random.Random = field(default_factory=random.Random)
    budget: float = SLEEP_BUDGET
    slept: float = 0.0
    paused_until: float = 0.0
    circuit: str | None = None
    retries: int = 0
    events: list[Event] = field(default_factory=list)
    record: bool = False
    deadline: float = RUN_DEADLINE
    started: float | None = None

    async def wait(self) -> None:
        """Block until any global pause is over; fail fast once the circuit is open."""
        if self.started is None:
            self.started = self.clock.monotonic()
        while True:
            if self.clock.monotonic() - self.started > self.deadline:
                self.circuit = f"circuit_open: the run passed its {self.deadline / 60:.0f}-minute deadline"
            if self.circuit:
                raise CircuitOpen(self.circuit)
            delay = self.paused_until - self.clock.monotonic()
            if delay <= 0:
                return
            await self.clock.sleep(delay)

    def note(self, kind: str, detail: str = "", retry_after: float | None = None) -> None:
        if self.record:
            self.events.append(Event(self.clock.monotonic(), kind, detail, retry_after))

    def _spend(self, seconds: float, why: str) -> None:
        if self.slept + seconds > self.budget:
            self.circuit = f"circuit_open: the run's {self.budget:.0f} s sleep budget is spent ({why})"
            raise CircuitOpen(self.circuit)
        self.slept += seconds

    def pause(self, seconds: float, why: str) -> None:
        """Pause every request for ``seconds`` from now (never shortening a longer pause)."""
        self._spend(seconds, why)
        self.paused_until = max(self.paused_until, self.clock.monotonic() + seconds)
        self.note("pause", why, seconds)

    async def backoff(self, attempt: int) -> None:
        """Full-jitter exponential backoff before attempt ``attempt + 1`` (this request only)."""
        delay = self.rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))
        self._spend(delay, "backoff")
        self.retries += 1
        await self.clock.sleep(delay)

    def rate_limited(self, status: int, headers: dict[str, str], body: bytes, attempt: int) -> bool:
        """Handle a 403/429; True when the request should be retried (after the pause)."""
        retry_after = headers.get("retry-after")
        remaining = headers.get("x-ratelimit-remaining")
        text = body[:2000].decode("utf-8", "replace").lower()
        if retry_after is not None:
            try:
                seconds = max(float(retry_after), 0.0)
            except ValueError:
                seconds = SECONDARY_DEFAULT
            self.pause(seconds + self.rng.uniform(0, 1), f"HTTP {status} retry-after {retry_after}")
        elif remaining == "0":
            try:
                wait = float(headers.get("x-ratelimit-reset", "0")) - self.clock.time()
            except ValueError:
                wait = PRIMARY_WAIT_MAX + 1
            if wait > PRIMARY_WAIT_MAX:
                self.circuit = f"circuit_open: primary rate limit exhausted, reset in {wait:.0f} s"
                raise CircuitOpen(self.circuit)
            self.pause(max(wait, 0.0) + self.rng.uniform(0, 1), f"HTTP {status} primary limit")
        elif status == 429 or "secondary rate limit" in text or "abuse" in text:
            self.pause(SECONDARY_DEFAULT * 2**attempt, f"HTTP {status} secondary limit")
        else:
            return False  # a plain 403: forbidden, not throttled
        self.retries += 1
        return True
