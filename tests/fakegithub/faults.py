"""Fault injection for the fake GitHub, and a fake clock for the client.

A :class:`FaultPlan` picks, per request, whether to answer normally or with one of GitHub's
failure modes, deterministically from a seed and the request (so a run can be replayed).
Retries of the same request draw again, so most recover within three attempts.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
from dataclasses import dataclass, field

KINDS = ("server_error", "reset", "timeout", "secondary", "secondary_no_header", "too_many", "primary", "truncated", "malformed")
# SECURITY.md T10: 30% 5xx/timeouts, 5% secondary 403, 2% 429, 2% primary, 2% truncated, 1% malformed.
T10 = {
    "server_error": 0.25,
    "reset": 0.03,
    "timeout": 0.02,
    "secondary": 0.03,
    "secondary_no_header": 0.02,
    "too_many": 0.02,
    "primary": 0.02,
    "truncated": 0.02,
    "malformed": 0.01,
}


@dataclass
class FaultPlan:
    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    timeout_seconds: float = 0.5  # longer than the client's read timeout in fault tests
    seen: dict[str, int] = field(default_factory=dict)
    injected: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, key: str) -> str | None:
        with self.lock:
            attempt = self.seen.get(key, 0)
            self.seen[key] = attempt + 1
        digest = hashlib.sha256(f"{self.seed}:{attempt}:{key}".encode()).digest()
        draw = random.Random(digest).random()
        total = 0.0
        for kind in KINDS:
            total += self.rates.get(kind, 0.0)
            if draw < total:
                with self.lock:
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                return kind
        return None

    @property
    def max_attempts(self) -> int:
        return max(self.seen.values(), default=0)


class FakeClock:
    """Virtual time: sleeping returns at once and moves the clock forward."""

    def __init__(self, epoch: float = 1_767_225_600.0) -> None:
        self.offset = 0.0
        self.epoch = epoch

    def monotonic(self) -> float:
        return self.offset

    def time(self) -> float:
        return self.epoch + self.offset

    async def sleep(self, seconds: float) -> None:
        # Concurrent sleepers overlap: the clock jumps to the latest wake-up, not their sum.
        self.offset = max(self.offset, self.offset + max(seconds, 0.0))
        await asyncio.sleep(0)
