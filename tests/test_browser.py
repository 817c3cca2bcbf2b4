"""Pages in a real browser (SECURITY.md T2): headless Chromium through Playwright.

Every page of the hostile site (every Appendix A payload in every stranger-controlled field)
and of the sample site is opened; the test records JavaScript dialogs, Content-Security-Policy
violations and console errors, and expects none. The browser is Debian's chromium
(``apt-get install -y chromium``; scripts/test installs it), never a downloaded one.
"""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from agentops_index.build import build
from agentops_index.render.pages import PAGE_SIZE
from agentops_index.search.records import project_all
from agentops_index.snapshot import store
from tests.hostile import build_hostile

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium); scripts/test installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (test extra) is not installed")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")), args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def serve(site: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def visit_all(browser: Any, site: Path) -> dict[str, list[str]]:
    """Open every HTML page of ``site``; return what went wrong, by kind."""
    server, base = serve(site)
    problems: dict[str, list[str]] = {"dialogs": [], "violations": [], "console": [], "pages": []}
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    page.on("dialog", lambda d: (problems["dialogs"].append(f"{page.url}: {d.message}"), d.dismiss()))
    page.on("console", lambda m: problems["console"].append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems["console"].append(f"{page.url}: {e}"))
    try:
        for path in sorted(site.rglob("*.html")):
            relative = path.relative_to(site).as_posix()
            url = base + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)
            page.goto(url, wait_until="load")
            problems["pages"].append(relative)
            problems["violations"] += [f"{relative}: {v}" for v in page.evaluate("window.__violations")]
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    return problems


def test_t2_hostile_pages_run_nothing(browser: Any, tmp_path: Path) -> None:
    site, _snapshot = build_hostile(tmp_path)
    problems = visit_all(browser, site)
    assert len(problems["pages"]) > 70
    assert problems["dialogs"] == []
    assert problems["violations"] == []
    assert problems["console"] == []


def test_sample_site_pages_are_clean_in_a_browser(browser: Any, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(REPO / "data" / "snapshots" / "latest.json", site)
    problems = visit_all(browser, site)
    assert len(problems["pages"]) > 90
    assert problems["dialogs"] == problems["violations"] == problems["console"] == []


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("search") / "site"
    result = build(REPO / "data" / "snapshots" / "latest.json", site)
    assert result.warnings == [], result.warnings
    assert (site / "pagefind" / "pagefind.js").is_file()
    server, base = serve(site)
    yield base
    server.shutdown()
    server.server_close()


def results(page: Any) -> list[str]:
    # Poll from Python: wait_for_function evaluates a string in the page, which the CSP forbids.
    import time

    deadline = time.monotonic() + 15
    while True:
        status = page.inner_text("#status")
        if status and not status.startswith("Searching"):
            break
        assert time.monotonic() < deadline, f"no answer: {status!r}"
        time.sleep(0.05)
    return [a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1] for a in page.query_selector_all("#results li h2 a")]


def test_search_finds_by_name_typo_facet_and_sort(browser: Any, sample_site: str) -> None:
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(sample_site + "search/?q=kubernetes")
    assert results(page)[0] == "k8s-helper"
    page.goto(sample_site + "search/?q=chnagelog")
    assert "changelog-writer" in results(page)
    assert "showing results for “changelog”" in page.inner_text("#status")
    page.goto(sample_site + "search/?q=review&category=code-quality")
    narrowed = results(page)
    name = page.inner_text('#f-category option[value="code-quality"]')
    assert narrowed and all(f"· {name}" in li.inner_text() for li in page.query_selector_all("#results > li .meta"))
    page.goto(sample_site + "search/?q=review")
    assert len(results(page)) > len(narrowed)
    page.goto(sample_site + "search/?q=review&sort=name")
    by_name = results(page)
    page.goto(sample_site + "search/?q=review&sort=score")
    assert sorted(by_name) == by_name and results(page) != by_name
    assert page.evaluate("window.__violations") == [] and errors == []
    context.close()


def test_results_are_cards_with_what_a_choice_needs_and_category_chips(browser: Any, sample_site: str) -> None:
    """Each result shows its name, description, marketplace, verdict, components and date, as the
    catalog's cards do; the categories of the results are chips with counts that narrow and widen."""
    snapshot = store.load(REPO / "data" / "snapshots" / "latest.json")
    by_slug = {p.slug.rsplit("/", 1)[-1]: p for p in snapshot.plugins}
    dates = {r["slug"].rsplit("/", 1)[-1]: (r["pushed_at"] or r["last_changed"])[:10] for r in project_all(snapshot)}
    listed: dict[str, tuple[str, str]] = {}
    compared = 0
    page = browser.new_page()
    page.goto(sample_site + "search/?q=review")
    shown = results(page)
    cards = page.query_selector_all("#results > li")
    assert len(cards) == len(shown) > 3
    for slug, item in zip(shown, cards, strict=True):
        plugin = by_slug[slug]
        text = item.inner_text()
        assert plugin.marketplace in item.inner_text()
        assert item.query_selector(".badge").inner_text() == (
            "passes" if plugin.valid else f"{plugin.errors} error{'s' if plugin.errors != 1 else ''}"
        )
        kinds = [li.inner_text() for li in item.query_selector_all(".facts-line li.k:not(.k-stars):not(.k-updated)")]
        expected = [
            f"{n} {label}{'s' if n != 1 else ''}"
            for label, n in (
                ("command", plugin.counts.commands),
                ("agent", plugin.counts.agents),
                ("skill", plugin.counts.skills),
                ("hook", plugin.counts.hooks),
                ("MCP server", plugin.counts.mcp_servers),
                ("LSP server", plugin.counts.lsp_servers),
            )
            if n
        ]
        assert kinds == expected, (slug, text)
        assert item.query_selector(".k-updated time").inner_text() == dates[slug]
        assert item.query_selector("a.compare-link")
        # The same facts, in the same words, as the catalog's own card of the plugin (templates/_macros.html).
        if slug not in listed:
            category = browser.new_page()
            category.goto(sample_site + f"categories/{plugin.category}/")
            for html_card in category.query_selector_all(".cards > li.card"):
                href = html_card.query_selector("h3 a").get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
                listed[href] = (
                    html_card.query_selector(".badge").inner_text(),
                    html_card.query_selector(".facts-line").inner_text(),
                )
            category.close()
        if slug in listed:  # a copy the category shows as another listing is not on that page
            facts = item.query_selector(".facts-line").inner_text().replace("Compare", "").strip()
            assert (item.query_selector(".badge").inner_text(), facts) == listed[slug], slug
            compared += 1
        assert "data-pagefind" not in item.inner_html() and "Passes Claude Code" not in text  # not the page's indexed text
    assert compared >= len(shown) - 1, (compared, len(shown))
    chips = page.query_selector_all("#chips button")
    assert chips and all(c.get_attribute("aria-pressed") == "false" for c in chips)
    first = chips[0]
    label = first.inner_text()
    n = int(first.query_selector(".count").inner_text())
    first.click()
    narrowed = results(page)
    assert len(narrowed) >= n and "category=" in page.url  # a narrowed search may find more than these results held
    assert page.evaluate("document.activeElement.dataset.slug") is not None  # the pressed chip keeps the focus
    again = page.query_selector_all("#chips button")
    assert len(again) == 1 and again[0].get_attribute("aria-pressed") == "true", label
    again[0].click()
    assert results(page) == shown
    page.close()


def test_listing_pages_show_each_plugin_as_a_card_on_a_phone(browser: Any, sample_site: str) -> None:
    """A category's and a marketplace's list: one card a plugin (a category shows each copy group
    once), each with its verdict and components, and nothing wider than a 360 px screen."""
    snapshot = store.load(REPO / "data" / "snapshots" / "latest.json")
    by_slug = {p.slug: p for p in snapshot.plugins}
    groups = {p.slug: p.canonical_id or p.id for p in snapshot.plugins}
    category = max(snapshot.categories, key=lambda c: c.plugins)
    market = max(snapshot.marketplaces, key=lambda m: len(m.plugin_ids))
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    for path, members in [
        (f"categories/{category.slug}/", [p for p in snapshot.plugins if p.category == category.slug]),
        (f"marketplaces/{market.slug}/", [p for p in snapshot.plugins if p.marketplace == market.id]),
    ]:
        page.goto(sample_site + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        cards = page.query_selector_all(".cards > li.card")
        slugs = [c.query_selector("h3 a").get_attribute("href").split("plugins/", 1)[1].rstrip("/") for c in cards]
        assert slugs and set(slugs) <= {p.slug for p in members}, path
        if path.startswith("categories/"):
            assert len({groups[s] for s in slugs}) == len(slugs) == len({groups[p.slug] for p in members})
        else:
            assert len(slugs) == min(len(members), PAGE_SIZE)
        for slug, item in zip(slugs, cards, strict=True):
            plugin = by_slug[slug]
            verdict = "passes" if plugin.valid else f"{plugin.errors} error{'s' if plugin.errors != 1 else ''}"
            assert item.query_selector(".badge").inner_text() == verdict, slug
            shipped = sum(plugin.counts.model_dump().values())
            assert len(item.query_selector_all(".facts-line li.k:not(.k-stars):not(.k-updated)")) == sum(
                1 for n in plugin.counts.model_dump().values() if n
            ), slug
            assert shipped or "no components found" in item.inner_text()
    context.close()


def test_home_search_box_and_slash_shortcut(browser: Any, sample_site: str) -> None:
    page = browser.new_page()
    page.goto(sample_site)
    page.fill("#q", "secrets")
    page.press("#q", "Enter")
    page.wait_for_url("**/search/?q=secrets")
    assert results(page)[0] == "secret-scanner"
    page.click("h1")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    for _ in range(8):  # every control of the form is reachable by keyboard
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") in ("SELECT", "BUTTON", "A")
    page.close()


PAGES = {  # the four pages the catalog issue names, and a bundle page, on the sample site
    "home": "",
    "search": "search/?q=review",
    "plugin": "plugins/acme-devtools/claude-plugins/commit-coach/",
    "marketplace": "marketplaces/acme-devtools/claude-plugins/",
    "bundle": "bundles/incident-response/",
    "status": "status/?repo=acme-devtools/claude-plugins",
    "compare": "compare/?p=acme-devtools/claude-plugins/commit-coach&p=acme-devtools/claude-plugins/branch-hygiene",
}

MARK_FOCUSABLE = """() => {
  const all = document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]');
  const shown = Array.from(all).filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length);
  shown.forEach((e, i) => { e.dataset.kbd = String(i); });
  return shown.length;
}"""


def settle(page: Any, name: str) -> None:
    if name == "search":
        results(page)
    if name == "status":
        page.wait_for_selector("#answer h2")
    if name == "compare":
        page.wait_for_selector("table.compare")


def test_keyboard_reaches_every_control(browser: Any, sample_site: str) -> None:
    """Tab from the top of each page visits every link, button and field, in a cycle."""
    page = browser.new_page()
    for name, path in PAGES.items():
        page.goto(sample_site + path)
        settle(page, name)
        count = page.evaluate(MARK_FOCUSABLE)
        assert count > 3, name
        reached: list[str | None] = []
        for _ in range(count + 2):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.dataset.kbd ?? null"))
        assert reached[0] == "0", f"{name}: the first Tab lands on {reached[0]}, not the skip link"
        missing = {str(i) for i in range(count)} - set(reached)
        assert not missing, f"{name}: Tab never reaches controls {sorted(missing, key=int)}"
    page.goto(sample_site)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main", timeout=5000)  # the jump to the fragment lands a moment after the key
    page.close()


def test_copy_button_copies_the_install_command(browser: Any, sample_site: str) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    context.add_init_script(WATCH)
    page = context.new_page()
    page.goto(sample_site + PAGES["plugin"])
    button = page.get_by_role("button", name="Copy the install commands")
    button.focus()
    page.keyboard.press("Enter")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "/plugin marketplace add acme-devtools/claude-plugins\n/plugin install commit-coach@acme-tools"
    assert button.inner_text() == "Copied"
    assert page.inner_text("pre[data-copy] [role=status]") == "Copied to the clipboard."
    page.goto(sample_site + PAGES["marketplace"])
    page.get_by_role("button", name="Copy the add command").click()
    assert page.evaluate("navigator.clipboard.readText()") == "/plugin marketplace add acme-devtools/claude-plugins"
    assert page.evaluate("window.__violations") == []
    context.close()


def test_badges_load_with_their_text_and_copyable_markdown(browser: Any, sample_site: str) -> None:
    """A plugin's and a marketplace's page show their README badge (loaded, sized, with its words as
    alternative text) and the Markdown that links it, copied by the button."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        for name in ("plugin", "marketplace"):
            page.goto(sample_site + PAGES[name])
            image = page.query_selector('img[src$="badge.svg"]')
            assert image is not None, name
            assert page.evaluate("(i) => i.complete && i.naturalWidth > 0", image), name
            assert image.get_attribute("alt").startswith("agentops-index: listed")
            snippet = page.query_selector('pre[data-copy^="Copy the badge"] code').inner_text()
            assert snippet.startswith("[![Listed on agentops-index](") and "/badge.svg)](" in snippet
            page.get_by_role("button", name="Copy the badge's Markdown").click()
            assert page.evaluate("navigator.clipboard.readText()") == snippet
    finally:
        context.close()


def test_compare_shows_plugins_picked_from_pages_and_results_side_by_side(browser: Any, sample_site: str) -> None:
    """Compare from a plugin page, then another, then a search result: the columns add up (at most
    four), each shows what the record says, one can be removed, and a bad address is refused."""
    from agentops_index.snapshot import store

    records = {p.slug: p for p in store.load(REPO / "data" / "snapshots" / "latest.json").plugins}
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()

    def columns() -> list[str]:
        page.wait_for_function("() => document.querySelector('#compare-status').textContent.includes('compared')")
        return [a.inner_text() for a in page.query_selector_all("table.compare thead th a")]

    def row(label: str) -> list[str]:
        found = [r for r in page.query_selector_all("table.compare tbody tr") if r.query_selector("th").inner_text() == label]
        return [td.inner_text() for td in found[0].query_selector_all("td")]

    try:
        for slug in ("acme-devtools/claude-plugins/commit-coach", "acme-devtools/claude-plugins/branch-hygiene"):
            page.goto(sample_site + f"plugins/{slug}/")
            page.click("a.compare-link")
            page.wait_for_url("**/compare/**")
            page.wait_for_selector("table.compare")  # compare.js has run and kept its picks
        assert columns() == ["commit-coach", "branch-hygiene"]
        picked = [records["acme-devtools/claude-plugins/commit-coach"], records["acme-devtools/claude-plugins/branch-hygiene"]]
        assert row("Context cost") == [f"about {p.context_tokens} tokens a session" for p in picked]
        assert row("Highest signal") == [p.risk or "none" for p in picked]
        said = [
            ("passes" + (f", {p.warnings} warning{'s' if p.warnings != 1 else ''}" if p.warnings else ""))
            if p.valid
            else f"{p.errors} error{'s' if p.errors != 1 else ''}"
            for p in picked
        ]
        assert row("Validator") == said
        page.goto(sample_site + "search/?q=csv")
        results(page)
        page.click("#results > li a.compare-link")
        page.wait_for_url("**/compare/**")
        page.wait_for_selector("table.compare")
        assert len(columns()) == 3 and "commit-coach" in columns()
        page.fill("#add", sample_site + "plugins/contoso-data/data-plugins/chart-maker/")
        page.press("#add", "Enter")
        page.wait_for_function("() => document.querySelectorAll('table.compare thead th').length === 4")
        page.fill(
            "#add", "adventure-works/pm-toolkit/" + next(s.rsplit("/", 1)[1] for s in records if s.startswith("adventure-works/"))
        )
        page.press("#add", "Enter")
        page.wait_for_function("() => document.querySelectorAll('table.compare thead th').length === 4")
        assert "commit-coach" not in columns()  # at most four: the oldest pick left
        page.get_by_role("button", name="Remove chart-maker from the comparison").click()
        page.wait_for_function("() => document.querySelectorAll('table.compare thead th').length === 3")
        page.fill("#add", "not a plugin")
        page.press("#add", "Enter")
        assert "Paste a plugin page address" in page.inner_text("#compare-status")
        assert page.url.count("p=") == 3 and page.evaluate("window.__violations") == []
    finally:
        context.close()


def test_the_status_page_says_why_a_repository_is_or_is_not_listed(browser: Any, tmp_path: Path) -> None:
    """status/: listed (with its page), stale (since when, the last error), found but unreadable (the
    error as text, how to fix it), removed, never seen; any spelling of the repository; and a
    hostile error message stays text."""
    from agentops_index.snapshot import models as m
    from agentops_index.snapshot import store

    snapshot = store.load(REPO / "data" / "snapshots" / "latest.json")
    fresh, stale, *rest = snapshot.sources
    hostile = "invalid_json:syntax: .claude-plugin/marketplace.json: Invalid JSON syntax: <img src=x onerror=alert(1)>"
    sources = [
        fresh,
        stale.model_copy(
            update={
                "state": "stale",
                "stale_since": "2026-11-20T00:00:00Z",
                "last_error": "server_error: HTTP 502 (after 3 attempts)",
            }
        ),
        *rest,
        m.SourceStatus(id="Broken-Org/bad-market", kind="github", state="invalid", last_error=hostile, consecutive_failures=1),
        m.SourceStatus(id="gone-org/old-market", kind="github", state="removed", last_error="gone: HTTP 404", tombstones=3),
    ]
    path = tmp_path / "latest.json"
    store.write_atomic(path, store.dumps(snapshot.model_copy(update={"sources": sources})))
    site = tmp_path / "site"
    build(path, site, search=False)
    server, base = serve(site)
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def ask(typed: str) -> str:
        page.fill("#repo", typed)
        page.press("#repo", "Enter")
        page.wait_for_function(
            "() => document.querySelector('#answer h2, #answer p') && !document.querySelector('#answer').textContent.startsWith('Looking')"
        )
        return str(page.inner_text("#answer"))

    try:
        page.goto(base + "status/?repo=" + fresh.id.upper())
        page.wait_for_selector("#answer h2")
        said = page.inner_text("#answer")
        assert said.startswith(f"Listed: {fresh.id}") and "plugins listed" in said
        page.click("#answer a")
        assert page.url.endswith(f"/marketplaces/{fresh.id.lower()}/")
        page.goto(base + "status/")
        said = ask(f"https://github.com/{stale.id}.git")
        assert "stale" in said and "Stale since 2026-11-20" in said and "server_error: HTTP 502" in said
        assert "server error" in said and "tries again every night" in said and page.query_selector("#answer a") is not None
        said = ask("broken-org/BAD-market")
        assert said.startswith("Found but unreadable: Broken-Org/bad-market") and "<img src=x onerror=alert(1)>" in said
        assert "How to fix it:" in said and "not valid JSON" in said
        assert page.query_selector("#answer img") is None
        said = ask("gone-org/old-market")
        assert said.startswith("Removed: gone-org/old-market") and "repository is gone" in said
        assert ask("nobody/nothing").startswith("Never seen: nobody/nothing")
        assert "owner/repo" in ask("just-a-name")
        assert "repo=nobody" not in page.url and "repo=just-a-name" in page.url
        assert dialogs == [] and page.evaluate("window.__violations") == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_pages_work_without_javascript(browser: Any, sample_site: str) -> None:
    """Every page but search shows its content with JavaScript off; there is simply no copy button."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(sample_site + PAGES["plugin"])
    assert "/plugin install commit-coach@acme-tools" in page.inner_text("pre")
    assert page.query_selector("button.copy") is None
    page.goto(sample_site + "search/?q=review")
    assert "needs JavaScript" in page.inner_text("main")
    context.close()


@pytest.fixture(scope="module")
def axe_script() -> Path:
    from tests.npm import NpmUnavailable, npm_package

    try:
        return npm_package("axe-core", AXE_VERSION, "node_modules/axe-core/axe.min.js")
    except NpmUnavailable as exc:
        pytest.skip(f"{exc}: axe-core checks the pages' accessibility")


AXE_VERSION = "4.14.1"
SERIOUS = """async () => {
  const found = await axe.run(document, { resultTypes: ['violations'] });
  return found.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_issue(browser: Any, sample_site: str, axe_script: Path, scheme: str) -> None:
    """axe-core, injected into each page (the CSP is bypassed for the injection only), in both colour schemes."""
    context = browser.new_context(bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    found = {}
    for name, path in PAGES.items():
        page.goto(sample_site + path)
        settle(page, name)
        page.add_script_tag(path=str(axe_script))
        found[name] = page.evaluate(SERIOUS)
    context.close()
    assert found == {name: [] for name in PAGES}


def test_many_marketplaces_facet_loads_its_suggestions_on_focus(browser: Any, tmp_path: Path) -> None:
    import time

    from agentops_index.snapshot import store
    from tests.test_build import many_marketplaces

    path = tmp_path / "latest.json"
    store.write_atomic(path, store.dumps(many_marketplaces(120)))
    site = tmp_path / "site"
    build(path, site)
    server, base = serve(site)
    context = browser.new_context()
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto(base + "search/")
        assert page.evaluate("document.getElementById('marketplace-list').childElementCount") == 0
        page.focus("#f-marketplace")
        deadline = time.monotonic() + 10
        while page.evaluate("document.getElementById('marketplace-list').childElementCount") < 120:
            assert time.monotonic() < deadline, "the suggestions never arrived"
            time.sleep(0.05)
        page.goto(base + "search/?q=commit&marketplace=owner7/market")
        assert results(page) == ["p"] and "owner7/market" in page.inner_text("#results")
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()


SHARED = REPO.parent / "shared"
CORPORA = [REPO / "data" / "sample", SHARED / "corpus" / "marketplaces", SHARED / "corpus-wide" / "marketplaces"]
# Names (several spellings), typos, topics, queries in other languages and phrases of other
# spellings: the browser must answer them as the command line does.
ONE_RANKING = [
    "playwrite",
    "pr review toolkit",
    "PRReviewToolkit",
    "claude-mem",
    "claude mem",
    "react",
    "laravle",
    "jujitsu",
    "kubernets",
    "terraform",
    "code review",
    "k8s",
    "a11y",
    "frontend-des",
    "superpowers",
    "sentry",
    "chrome devtools",
    "postgress",
    "mermaid diagrams",
    "commit messages",
    # In another language, searched in English (data/search.toml's translations).
    "auditoria de seguridad",
    "Tests schreiben",
    "análise de dados",  # "de" left out, as the command line leaves it out
    "crear componentes de React",  # not corrected to "clear components"
    "Sicherheitslücken in meinem Code finden",  # the table's singular, read without the plural ending
    "vulnerability in my code find",  # a synonym in the name (security), found by a pair with the synonym
    "Sicherheitsprüfungen",  # no table word: "Sicherheitsprüfung" (security review) is, read without the plural ending
    "revisar el código en busca de errores",  # "en busca de" left out (data/search.toml's function_phrases)
    "scan my code for security vulnerabilities",  # names the query covers first (search/concepts.py's name_cover)
    "vuejs",  # searched as "vue" too
    "c#",  # one word, not "c" (terms.symbols)
    ".net",
    "tailwindcss",
    "tailwind css",  # the plugin named tailwind, as "tailwindcss" (search/concepts.py's name_key)
    "vue js",
    # Phrases of data/search.toml's spellings, searched as their abbreviation too (ml-*, tdd, ci).
    "machine learning",
    "test driven development",
    "continuous integration",
    "release notes",
    "user experience",
    "model context protocol",
]


@pytest.mark.slow
def test_the_browser_ranks_as_the_command_line_does(browser: Any, tmp_path: Path) -> None:
    """On the corpus build, for 34 queries: the same first result, and at least 8 of the browser's
    top 10 among the command line's top 10 (copies count as the plugin they copy, and a plugin tied
    with the command line's tenth counts as in it)."""
    import time
    from urllib.parse import quote_plus

    missing = [str(d) for d in CORPORA if not d.is_dir()]
    if missing:
        pytest.skip(f"the corpora are not at {', '.join(missing)} (they live in ../shared)")
    from agentops_index.crawl import crawl_local
    from agentops_index.search.session import open_searcher
    from agentops_index.snapshot.categories import load_taxonomy

    snapshot = tmp_path / "latest.json"
    crawl_local(CORPORA, load_taxonomy()).write(snapshot)
    site = tmp_path / "site"
    assert build(snapshot, site).written
    server, base = serve(site)
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    disagree = []
    try:
        with open_searcher(str(snapshot)) as searcher:
            for query in ONE_RANKING:
                page.goto(base + "search/?q=" + quote_plus(query))
                shown = results(page)
                got = [
                    a.get_attribute("href").rstrip("/").split("/plugins/", 1)[1]
                    for a in page.query_selector_all("#results li h2 a")
                ]
                answer = searcher.query(query, limit=100)
                ids = [i for h in answer.results for i in h.also_in]
                slugs = {i: r["slug"] for i, r in searcher.store.records(ids).items()}
                groups = [{h.record["slug"], *(slugs[i] for i in h.also_in)} for h in answer.results]
                scores = [(round(h.relevance, 6), round(h.score, 6)) for h in answer.results]
                assert shown, query
                first = got[0] in groups[0]
                # A result tied with the command line's tenth is as right as the one it shows.
                tenth = scores[min(9, len(scores) - 1)]
                overlap = sum(
                    1 for slug in got[:10] if any(slug in g and (n < 10 or scores[n] == tenth) for n, g in enumerate(groups))
                )
                if not first or overlap < min(8, len(groups)):
                    disagree.append(
                        f"{query!r}: browser {got[:10]} vs command line {[h.record['slug'] for h in answer.results[:10]]}"
                    )
                time.sleep(0.05)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert disagree == [] and errors == []
