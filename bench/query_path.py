"""The query path as a user meets it: whole processes, peak memory, and what a first --snapshot URL downloads.

    .venv/bin/python bench/query_path.py [--plugins 30000] [--runs 5]

On bench/world.py's real-text world (30,000 plugins by default):

- ``agentops-index search QUERY --json`` and ``discover INTENT --json`` as new processes, with the
  query store already prepared in the cache (warm disk): median wall time of ``--runs`` runs and
  peak resident memory, against ``agentops-index --version`` (start-up alone) in the same run;
- the site's ``api/v1/query.json.gz`` served on loopback the way GitHub Pages serves it (as it
  is; text files gzip-compressed when the client asks), and a first ``search --snapshot URL`` from an empty cache: bytes transferred,
  compressed and raw, against the whole ``api/v1/snapshot.json``; then a second run (an ETag
  revalidation).

Then the agentops plugins' standard-library reader (plugins/agentops-core/bin/agentops-answer,
run as ``python3 -I -S``, as on a machine with python3 alone) on the same served site: its first
use (download and the SQLite postings it builds), then the same search, typo and discover as new
processes, each with its ratio to the CLI's figure of this run.

Goals at 30,000 plugins: search <= 300 ms and <= 150 MB; discover <= 600 ms; first download
<= 15 MB.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT / "bench"))

from pages_server import Served  # noqa: E402
from world import world  # noqa: E402

from agentops_index.search.queryfile import QUERY_FILE  # noqa: E402
from agentops_index.search.records import query_file_bytes  # noqa: E402
from agentops_index.search.session import records_of  # noqa: E402
from agentops_index.snapshot import store  # noqa: E402

CLI = str(Path(sys.executable).with_name("agentops-index"))
READER = [
    getattr(sys, "_base_executable", sys.executable),
    "-I",
    "-S",
    str(ROOT / "plugins" / "agentops-core" / "bin" / "agentops-answer"),
]


TIME = "/usr/bin/time"  # GNU time: the peak of the measured process alone


def run(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident kilobytes of one process.

    The peak comes from GNU time, which forks the process itself: a child forked from this
    process (which holds the world) would report this process's peak as its own (Linux keeps
    the high-water mark across fork and exec)."""
    started = time.perf_counter()
    done = subprocess.run([TIME, "-f", "%M", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed, int(done.stderr.decode().strip().splitlines()[-1])


def measure(args: list[str], env: dict[str, str], runs: int) -> tuple[float, int]:
    results = [run(args, env) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    if not Path(TIME).is_file():
        raise SystemExit(f"bench/query_path.py: needs GNU time at {TIME} (Debian: apt-get install time) for each process's peak")
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--plugins", type=int, default=30000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    snapshot_path = world(args.plugins)
    with tempfile.TemporaryDirectory() as tmp:
        # Bytecode is written as an installed package has it (a machine that sets
        # PYTHONDONTWRITEBYTECODE would otherwise compile every module of every process).
        kept = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env = {**kept, "XDG_CACHE_HOME": str(Path(tmp) / "cache"), "NO_COLOR": "1"}
        query = ["search", "review pull requests", "--json", "--snapshot", str(snapshot_path)]
        started = time.perf_counter()
        run([CLI, *query], env)  # prepares the store and index once: the cold first query
        cold = time.perf_counter() - started
        base = measure([CLI, "--version"], env, args.runs)
        search = measure([CLI, *query], env, args.runs)
        typo = measure([CLI, "search", "playwrite", "--json", "--snapshot", str(snapshot_path)], env, args.runs)
        intent = "review my pull requests for security issues"
        discover = measure([CLI, "discover", intent, "--json", "--snapshot", str(snapshot_path)], env, args.runs)
        print(f"{args.plugins:,} plugins (bench/world.py); medians of {args.runs} new processes, warm disk and cache")
        print(f"  --version (start-up)      {base[0] * 1000:6.0f} ms  {base[1] / 1024:5.0f} MB")
        for label, (seconds, kb) in (("search --json", search), ("search (a typo) --json", typo), ("discover --json", discover)):
            print(f"  {label:25} {seconds * 1000:6.0f} ms  {kb / 1024:5.0f} MB   ({seconds / base[0]:.1f}x start-up)")
        print(f"  first query on a new snapshot (prepares the store and index): {cold:.1f} s")

        site = Path(tmp) / "site"
        (site / "api" / "v1").mkdir(parents=True)
        snapshot = store.load(snapshot_path)
        _, records = records_of(snapshot)
        (site / "api" / "v1" / QUERY_FILE).write_bytes(query_file_bytes(snapshot, records))
        (site / "api" / "v1" / "snapshot.json").write_bytes(snapshot_path.read_bytes())
        del snapshot, records
        served = Served(site)
        try:
            fresh = {**env, "XDG_CACHE_HOME": str(Path(tmp) / "fresh")}
            url = f"{served.url}api/v1/snapshot.json"
            started = time.perf_counter()
            run([CLI, "search", "playwright", "--json", "--snapshot", url], fresh)
            first_s, first = time.perf_counter() - started, served.sent
            second_s, _ = run([CLI, "search", "playwright", "--json", "--snapshot", url], fresh)
            second = served.sent - first
            plain = {"PATH": "/usr/bin:/bin", "HOME": tmp, "XDG_CACHE_HOME": str(Path(tmp) / "reader")}
            started = time.perf_counter()
            _, reader_first_kb = run([*READER, "--snapshot", url, "search", "playwright"], plain)
            reader_first = time.perf_counter() - started
            reader = {
                "search": measure([*READER, "--snapshot", url, "search", "review pull requests"], plain, args.runs),
                "search (a typo)": measure([*READER, "--snapshot", url, "search", "playwrite"], plain, args.runs),
                "discover": measure([*READER, "--snapshot", url, "discover", intent], plain, args.runs),
            }
        finally:
            served.close()
        on_disk = (site / "api" / "v1" / QUERY_FILE).stat().st_size
        raw = len(gzip.decompress((site / "api" / "v1" / QUERY_FILE).read_bytes()))
        whole = (site / "api" / "v1" / "snapshot.json").stat().st_size
        whole_gz = len(gzip.compress((site / "api" / "v1" / "snapshot.json").read_bytes(), 6))
        print(
            f"  first --snapshot URL: {first / 1e6:.1f} MB transferred ({QUERY_FILE}, {on_disk / 1e6:.1f} MB on the site;"
            f" {raw / 1e6:.1f} MB of JSON) in {first_s:.1f} s"
        )
        print(
            f"     vs the whole snapshot: {whole_gz / 1e6:.1f} MB gzip, {whole / 1e6:.1f} MB raw ({whole_gz / max(first, 1):.1f}x)"
        )
        print(f"  next run: {second} bytes (ETag revalidation, 304) in {second_s * 1000:.0f} ms")
        print("The plugins' reader (python3 -I -S, standard library only), same site, same queries:")
        print(f"  first use (download, check, build SQLite postings): {reader_first:.1f} s, {reader_first_kb / 1024:.0f} MB peak")
        for (label, (seconds, kb)), cli in zip(reader.items(), (search, typo, discover), strict=True):
            print(
                f"  {label:25} {seconds * 1000:6.0f} ms  {kb / 1024:5.0f} MB   ({seconds / cli[0]:.1f}x the CLI's {cli[0] * 1000:.0f} ms)"
            )


if __name__ == "__main__":
    main()
