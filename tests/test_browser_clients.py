"""Other clients' records and standalone skills in the browser's search (a real Chromium): the
Works in facet keeps a client's records, and a card says whose rules judged it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from agentops_index.build import build
from agentops_index.crawl import crawl_local
from tests.test_browser import WATCH, browser, results, serve  # noqa: F401  (browser: a fixture)
from tests.test_other_clients import TAXONOMY, codex_repo, text

REPO = Path(__file__).resolve().parents[1]


def test_the_works_in_facet_keeps_a_clients_records_and_cards_name_their_rules(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    repos = tmp_path / "repos"
    codex_repo(repos / "octo__kit")
    text(
        repos / "octo__skills" / "skills" / "lint-guide" / "SKILL.md",
        "---\nname: lint-guide\ndescription: How to fix lint errors.\n---\n",
    )
    shutil.copytree(REPO / "data" / "sample" / "acme-devtools__claude-plugins", repos / "acme-devtools__claude-plugins")
    snapshot = tmp_path / "latest.json"
    crawl_local([repos], TAXONOMY).write(snapshot)
    site = tmp_path / "site"
    assert build(snapshot, site).written
    server, base = serve(site)
    try:
        context = browser.new_context()
        context.add_init_script(WATCH)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "search/?q=lint")
        everything = results(page)
        assert {"codex-lint", "skill-lint-guide"} <= set(everything)
        page.goto(base + "search/?q=lint&client=skill")
        assert results(page) == ["skill-lint-guide"]
        assert "Agent Skill: passes" in page.inner_text("#results > li")
        page.goto(base + "search/?q=lint&client=codex")
        assert results(page) == ["codex-lint"]
        assert "Codex: passes" in page.inner_text("#results > li")
        assert page.evaluate("window.__violations") == [] and errors == []
        context.close()
    finally:
        server.shutdown()
        server.server_close()
