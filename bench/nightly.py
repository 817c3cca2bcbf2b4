"""The whole nightly run on a generated world: duration, requests, and repository growth.

    .venv/bin/python bench/nightly.py [--marketplaces 3000] [--plugins 10] [--changed 0.01]

One fake GitHub on loopback serves a generated world. A first night (4 shards) publishes a
snapshot; then 1% of the marketplace repositories change and the same night is run twice from
that published snapshot: once as 1 shard, once as 4 shards (run one after the other here; in
GitHub Actions the 4 crawl jobs run in parallel, so the slowest shard is what the run waits for).
Reported: wall time of each step, requests from the crawl reports, and the bytes the run would
commit (the history record and the generated bundle plugins that changed). Ratios compare the
4-shard run with the 1-shard run of the same world in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))
sys.path.insert(0, str(ROOT))

from tests.fakegithub import FakeGitHub  # noqa: E402
from tests.fakegithub.generate import generate  # noqa: E402

BIN = Path(sys.executable).parent


def step(script: str, *args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(ROOT / "scripts" / script), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{script} {args} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    steps = [line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("nightly-build: ")]
    if steps:
        print("    " + "; ".join(steps), flush=True)
    return time.perf_counter() - started


def night(work: Path, shards: int, env: dict[str, str]) -> dict[str, float]:
    env = {**env, "AGENTOPS_WORK": str(work)}
    crawl = [step("nightly-crawl", str(k), str(shards), env=env) for k in range(1, shards + 1)]
    build = step("nightly-build", env=env)
    requests = sum(
        json.loads((work / "parts" / f"shard-{k}" / "crawl-report.json").read_text())["usage"]["requests"]
        for k in range(1, shards + 1)
    )
    return {"crawl_sum": sum(crawl), "crawl_max": max(crawl), "build": build, "requests": requests}


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marketplaces", type=int, default=3000)
    parser.add_argument("--plugins", type=int, default=10)
    parser.add_argument("--changed", type=float, default=0.01)
    args = parser.parse_args()
    world, refs = generate(args.marketplaces, args.plugins)
    fake = FakeGitHub(world).start()
    tmp = Path(tempfile.mkdtemp(prefix="nightly-bench-"))
    try:
        sources = tmp / "sources.toml"
        sources.write_text("".join(f'[[marketplace]]\nrepo = "{r.id}"\n' for r in refs))
        env = {
            **os.environ,
            "AGENTOPS_SOURCES": str(sources),
            "AGENTOPS_API_URL": fake.url,
            "AGENTOPS_SITE_URL": "https://example.test/",
            "AGENTOPS_INDEX": str(BIN / "agentops-index"),
            "AGENTOPS_PATTERNS": str(tmp / "patterns"),
        }
        first = {
            **env,
            "SOURCE_DATE_EPOCH": "1795737600",
            "AGENTOPS_PREVIOUS": str(tmp / "none"),
            "AGENTOPS_HISTORY": str(tmp / "history0"),
            "AGENTOPS_PLUGINS": str(tmp / "plugins0"),
        }
        print(f"world: {args.marketplaces} marketplaces x {args.plugins} plugins; first night (4 shards) ...", flush=True)
        cold = night(tmp / "night0", 4, first)
        print(f"  first night: crawl {cold['crawl_sum']:.1f} s, build {cold['build']:.1f} s, {cold['requests']:.0f} requests")
        rng = random.Random(3)
        changed = rng.sample(refs, max(1, int(len(refs) * args.changed)))
        for ref in changed:
            world.write(ref.id, "README.md", f"# changed {rng.random()}\n".encode())
            commands = sorted(p for p in world.get(ref.id).files if p.startswith("plugins/") and "/commands/" in p)
            if commands:  # one plugin's files change too, so its content hash moves
                world.write(ref.id, commands[0], b"---\ndescription: changed tonight\n---\nNew body.\n")
            world.write(
                ref.id,
                ".claude-plugin/marketplace.json",
                world.get(ref.id)
                .files[".claude-plugin/marketplace.json"]
                .replace(b"Generated marketplace", b"Updated marketplace"),
            )
        published = tmp / "night0" / "site" / "api" / "v1" / "snapshot.json"
        results = {}
        for shards in (1, 4):
            history = tmp / f"history-{shards}"
            shutil.copytree(tmp / "history0", history)
            plugins = tmp / f"plugins-{shards}"
            shutil.copytree(tmp / "plugins0", plugins)
            before = {**tree_bytes(history), **{f"p/{k}": v for k, v in tree_bytes(plugins).items()}}
            run_env = {
                **env,
                "SOURCE_DATE_EPOCH": "1795824000",
                "AGENTOPS_PREVIOUS": str(published),
                "AGENTOPS_HISTORY": str(history),
                "AGENTOPS_PLUGINS": str(plugins),
            }
            result = night(tmp / f"night-{shards}", shards, run_env)
            after = {**tree_bytes(history), **{f"p/{k}": v for k, v in tree_bytes(plugins).items()}}
            result["growth"] = sum(len(v) for k, v in after.items() if before.get(k) != v)
            results[shards] = result
            print(
                f"  {shards} shard(s), {len(changed)} repos changed: crawl {result['crawl_sum']:.1f} s"
                f" (slowest shard {result['crawl_max']:.1f} s), build+gate+check {result['build']:.1f} s,"
                f" {result['requests']:.0f} requests, repository growth {result['growth']:,} bytes",
                flush=True,
            )
        one, four = results[1], results[4]
        print(
            f"4 shards vs 1: requests x{four['requests'] / one['requests']:.2f}; crawl wall time in parallel jobs"
            f" x{four['crawl_max'] / one['crawl_max']:.2f} (slowest shard); whole run in parallel"
            f" x{(four['crawl_max'] + four['build']) / (one['crawl_max'] + one['build']):.2f}"
        )
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
