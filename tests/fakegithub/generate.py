"""Generated worlds for benchmarks and fault tests: many small, valid marketplaces."""

from __future__ import annotations

import json
import random

from agentops_index.sources.github import RepoRef
from tests.fakegithub.world import Repo, World

CATEGORIES = ["development", "testing", "devops", "security", "documentation", "data", "design", "productivity"]


def generate(marketplaces: int, plugins: int, seed: int = 1) -> tuple[World, list[RepoRef]]:
    """A world of ``marketplaces`` repos with ``plugins`` entries each; 1 in 10 lives in its own repo."""
    rng = random.Random(seed)
    world = World()
    refs = []
    for m in range(marketplaces):
        owner, name = f"org{m % 997}", f"market-{m}"
        repo = Repo(owner, name)
        entries = []
        for p in range(plugins):
            plugin = f"tool-{m}-{p}"
            category = CATEGORIES[rng.randrange(len(CATEGORIES))]
            if p == 0 and m % 10 == 0:
                own = Repo(owner, f"{plugin}-plugin")
                _plugin_files(own.files, "", plugin, category)
                world.add(own)
                entries.append(
                    {
                        "name": plugin,
                        "source": {"source": "github", "repo": own.full_name},
                        "description": f"{plugin} from its own repository",
                        "category": category,
                    }
                )
                continue
            _plugin_files(repo.files, f"plugins/{plugin}/", plugin, category)
            entries.append(
                {
                    "name": plugin,
                    "source": f"./plugins/{plugin}",
                    "description": f"Does {category} work: {plugin}",
                    "category": category,
                }
            )
        marketplace = {"name": name, "owner": {"name": owner}, "description": f"Generated marketplace {m}", "plugins": entries}
        repo.files[".claude-plugin/marketplace.json"] = json.dumps(marketplace, indent=2).encode()
        repo.files["README.md"] = f"# {name}\n".encode()
        world.add(repo)
        refs.append(RepoRef(owner, name))
    return world, refs


def _plugin_files(files: dict[str, bytes], prefix: str, plugin: str, category: str) -> None:
    files[f"{prefix}.claude-plugin/plugin.json"] = json.dumps(
        {"name": plugin, "version": "1.0.0", "description": f"{plugin} plugin", "author": {"name": "gen"}}
    ).encode()
    files[f"{prefix}commands/{plugin}.md"] = (
        f"---\ndescription: Run {plugin}\nallowed-tools: Read\n---\nDo the {category} thing.\n".encode()
    )
    files[f"{prefix}skills/{plugin}-skill/SKILL.md"] = (
        f"---\nname: {plugin}-skill\ndescription: Use for {category} tasks\n---\nSteps.\n".encode()
    )
    files[f"{prefix}README.md"] = f"# {plugin}\n\nA generated plugin for {category}.\n".encode()
    files[f"{prefix}scripts/run.sh"] = b"#!/bin/sh\necho run\n"
