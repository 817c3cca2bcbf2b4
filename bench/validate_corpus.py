"""Validating the whole corpus in one process vs. the real CLI once per marketplace.

    .venv/bin/python bench/validate_corpus.py [--corpus ../shared/corpus/marketplaces] [--repeat 3]

Both run in the same command on the same machine; the figure that matters is the ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.manifest.validate import validate_path  # noqa: E402

CLAUDE = Path.home() / ".cache" / "agentops-index" / "claude-code" / "node_modules" / ".bin" / "claude"


def ours(folders: list[Path]) -> float:
    start = time.perf_counter()
    for folder in folders:
        validate_path(folder)
    return time.perf_counter() - start


def theirs(folders: list[Path], binary: Path) -> float:
    home = tempfile.mkdtemp()
    env = {"HOME": home, "PATH": os.environ.get("PATH", "")}
    start = time.perf_counter()
    for folder in folders:
        subprocess.run([str(binary), "plugin", "validate", "--json", str(folder)], capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    shutil.rmtree(home, ignore_errors=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "marketplaces")
    parser.add_argument("--claude", type=Path, default=CLAUDE, help="the claude binary (installed by the test fixture)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folders = sorted(p for p in args.corpus.iterdir() if p.is_dir())
    if not args.claude.exists():
        sys.exit(f"no claude binary at {args.claude}: run the test suite once (it installs it) or pass --claude")
    ours_times, theirs_times = [], []
    for _ in range(args.repeat):
        ours_times.append(ours(folders))
        theirs_times.append(theirs(folders, args.claude))
    mine, cli = statistics.median(ours_times), statistics.median(theirs_times)
    print(f"marketplaces: {len(folders)}  repeats: {args.repeat} (medians)")
    print(f"agentops-index, one process: {mine:.3f} s")
    print(f"claude plugin validate, once per marketplace: {cli:.3f} s")
    print(f"ratio: {cli / mine:.1f}x faster (goal >= 50x)")


if __name__ == "__main__":
    main()
