"""Our always-on token estimate against `claude plugin details` (the real CLI, offline).

    .venv/bin/python bench/context_cost.py [--limit 40] [--corpus ../shared/corpus/marketplaces]

Adds each marketplace folder of data/sample (and the corpus, when present) to a throwaway
Claude Code HOME, installs up to --limit plugins with relative sources, reads "Always-on:
~N tok" from `claude plugin details`, and compares it with the snapshot's context_tokens.
Reports the median and worst relative error and the share within 20%.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "generator"))

from agentops_index.crawl import crawl_local  # noqa: E402
from agentops_index.snapshot.categories import load_taxonomy  # noqa: E402

CLAUDE = (
    Path(os.environ.get("AGENTOPS_CLAUDE_CACHE", Path.home() / ".cache" / "agentops-index" / "claude-code"))
    / "node_modules"
    / ".bin"
    / "claude"
)
ALWAYS_ON = re.compile(r"Always-on:\s+~?([\d,]+)\s+tok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "marketplaces")
    args = parser.parse_args()
    if not CLAUDE.exists():
        sys.exit(f"no claude binary at {CLAUDE}: run the test suite once (it installs it)")
    folders = sorted(p for p in (ROOT / "data" / "sample").iterdir() if p.is_dir())
    if args.corpus.is_dir():
        folders += sorted(p for p in args.corpus.iterdir() if p.is_dir())
    snapshot = crawl_local(folders, load_taxonomy(ROOT / "data" / "categories.toml")).snapshot
    home = tempfile.mkdtemp(prefix="claude-home-")
    env = {"HOME": home, "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}

    def claude(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(CLAUDE), "plugin", *argv], capture_output=True, text=True, env=env, timeout=120, check=False)

    by_market = {m.id: m for m in snapshot.marketplaces}
    added: set[str] = set()
    pairs: list[tuple[str, int, int]] = []
    candidates = [
        p
        for p in snapshot.plugins
        if p.valid
        and p.resolved.state == "local"
        and not p.resolved.repo
        and (p.counts.skills + p.counts.commands + p.counts.agents) > 0
        and p.install.plugin_install
    ]
    for plugin in candidates:
        if len(pairs) >= args.limit:
            break
        market = by_market[plugin.marketplace]
        name = market.untrusted.name.text if market.untrusted.name else ""
        folder = next(f for f in folders if f.name.replace("__", "/", 1) == plugin.marketplace)
        if name not in added:
            if claude("marketplace", "add", str(folder.resolve())).returncode != 0:
                added.add(name)
                continue
            added.add(name)
        entry = plugin.install.plugin_install.removeprefix("/plugin install ")  # type: ignore[union-attr]
        if claude("install", entry).returncode != 0:
            continue
        match = ALWAYS_ON.search(claude("details", entry).stdout)
        if match:
            pairs.append((plugin.id, int(match.group(1).replace(",", "")), plugin.context_tokens))
    errors = [abs(ours - theirs) / max(theirs, 1) for _, theirs, ours in pairs]
    for pid, theirs, ours in pairs:
        print(f"{pid:70} cli {theirs:6}  ours {ours:6}  {100 * (ours - theirs) / max(theirs, 1):+6.1f}%")
    if errors:
        within = sum(1 for e in errors if e <= 0.2) / len(errors)
        print(
            f"{len(pairs)} plugins: median error {100 * statistics.median(errors):.1f}%, worst {100 * max(errors):.1f}%, within 20%: {100 * within:.0f}%"
        )


if __name__ == "__main__":
    main()
