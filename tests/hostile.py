"""A hostile marketplace: every SECURITY.md Appendix A payload in every field a stranger controls."""

from __future__ import annotations

import json
from pathlib import Path

from agentops_index.build import build
from agentops_index.crawl import crawl_local
from agentops_index.snapshot import store
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.snapshot.models import Snapshot
from tests.payloads import ALL, MARKUP, TEXT, URLS

REPO = Path(__file__).resolve().parents[1]


def _front_matter_value(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def build_hostile(base: Path) -> tuple[Path, Snapshot]:
    """A marketplace with every Appendix A payload in every stranger-controlled field, built into a site."""
    root = base / "market" / "evil-org__xss-market"
    entries = []
    for index, payload in enumerate(ALL):
        folder = root / "plugins" / f"p{index}"
        (folder / "commands").mkdir(parents=True)
        (folder / "README.md").write_text(payload + "\n\n" + MARKUP[index % len(MARKUP)], "utf-8")
        (folder / "commands" / "go.md").write_text(
            f"---\ndescription: {_front_matter_value(payload)}\nallowed-tools: {_front_matter_value(payload)}\n---\nbody\n",
            "utf-8",
        )
        entries.append(
            {
                "name": payload,
                "source": f"./plugins/p{index}",
                "description": payload,
                "category": payload,
                "keywords": [payload],
                "tags": [payload],
                "author": {"name": payload, "url": URLS[index % len(URLS)]},
                "homepage": URLS[index % len(URLS)],
                "repository": payload,
            }
        )
    manifest = {"name": TEXT[5], "owner": {"name": TEXT[0], "url": URLS[0]}, "description": TEXT[6], "plugins": entries}
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(manifest), "utf-8")
    snapshot = crawl_local([base / "market"], load_taxonomy(REPO / "data" / "categories.toml")).snapshot
    snapshot_path = base / "latest.json"
    store.write_atomic(snapshot_path, store.dumps(snapshot))
    site = base / "site"
    result = build(snapshot_path, site, "https://example.org/")
    assert result.warnings == []
    return site, snapshot
