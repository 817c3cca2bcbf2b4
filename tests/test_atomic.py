"""SECURITY.md T14: kill -9 at random moments leaves the old or the new snapshot and site, never half."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "data" / "snapshots" / "latest.json"
pytestmark = pytest.mark.slow
KILLS = 12


def digest(path: Path) -> str | None:
    if not path.exists():
        return None
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
    return h.hexdigest()


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "agentops_index", "-q", *args]


def env(epoch: str) -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONPATH": str(REPO / "generator")}


def killed_at_random(argv: list[str], environ: dict[str, str], within: float, rng: random.Random) -> None:
    process = subprocess.Popen(argv, env=environ, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, within))
    process.send_signal(signal.SIGKILL)
    process.wait()


def timed(argv: list[str], environ: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(argv, env=environ, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def test_a_killed_crawl_leaves_the_old_or_the_new_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    crawl = ["crawl", "--from-dir", str(REPO / "data" / "sample"), "--out", str(out)]
    timed(cli(*crawl), env("1767225600"))
    old = digest(out)
    fresh = tmp_path / "fresh" / "latest.json"
    duration = timed(cli("crawl", "--from-dir", str(REPO / "data" / "sample"), "--out", str(fresh)), env("1767312000"))
    new = digest(fresh)
    assert old != new
    rng = random.Random(14)
    for _ in range(KILLS):
        killed_at_random(cli(*crawl), env("1767312000"), duration * 1.3, rng)
        assert digest(out) in (old, new), "a killed crawl left a snapshot that is neither the old nor the new one"
    timed(cli(*crawl), env("1767312000"))
    assert digest(out) == new


def test_a_killed_build_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_bytes(COMMITTED.read_bytes().replace(b"2026-11-27T00:00:00Z", b"2026-11-28T00:00:00Z"))
    site = tmp_path / "site"
    build_old = cli("build", "--no-search", "--snapshot", str(COMMITTED), "--out", str(site))
    build_new = cli("build", "--no-search", "--snapshot", str(other), "--out", str(site))
    timed(build_new, env("0"))
    new = digest(site)
    duration = timed(build_old, env("0"))
    old = digest(site)
    assert old != new
    rng = random.Random(15)
    for index in range(KILLS):
        killed_at_random(build_new if index % 2 == 0 else build_old, env("0"), duration * 1.3, rng)
        assert digest(site) in (old, new), "a killed build left a site that is neither the old nor the new one"
    timed(build_old, env("0"))  # the next build also clears what killed builds left beside the site
    assert digest(site) == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.")] == []
