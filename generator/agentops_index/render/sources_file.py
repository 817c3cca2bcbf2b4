"""``api/v1/sources.json``: every marketplace source the index knows and what became of it, for
the status page ("why isn't it listed?") and for owners' own tools.

One entry a source the last crawl tried: its state as the snapshot has it (``fresh``: read and
listed; ``stale``: the last read failed, the previous listing is kept; ``invalid``: found but its
marketplace.json cannot be read; ``removed``: the repository is gone), the reason code and the
whole error, since when it is stale, when it was last crawled, and its marketplace page. A source
that is not in the file was never seen. ``fixes`` says, for each reason code, how an owner fixes
it. The file's shape is ``SourcesFile`` in ``api/v1/schema.json``'s ``$defs``.
"""

from __future__ import annotations

import re

from agentops_index.snapshot.models import SCHEMA_VERSION, Snapshot, SourceState, Strict

FILE = "api/v1/sources.json"
MARKETPLACE_FILE = ".claude-plugin/marketplace.json"
_REASON = re.compile(r"^[a-z_]+(?::[a-z_]+)?")

# Reason code -> how its owner fixes it. Codes come from manifest/jsonfile.py, sources/read.py and
# the GitHub crawl; an unknown one gets ``OTHER``.
FIXES: dict[str, str] = {
    "invalid_json:syntax": (
        f"{MARKETPLACE_FILE} is not valid JSON (comments, trailing commas and unquoted keys are not allowed): "
        "run “claude plugin validate .” in the repository, fix the line it names, and push."
    ),
    "invalid_json:depth": f"{MARKETPLACE_FILE} nests too deeply: keep each plugin entry a flat object.",
    "too_large": f"{MARKETPLACE_FILE} is over the size limit: move long text into each plugin's own files.",
    "invalid_encoding": f"{MARKETPLACE_FILE} is not UTF-8 text: save it as UTF-8 without a byte order mark.",
    "not_an_object": f"{MARKETPLACE_FILE} must hold one JSON object with name, owner and plugins.",
    "unreadable": f"{MARKETPLACE_FILE} could not be read: check that it is a regular file, not a link or a folder.",
    "not_found": "GitHub answered that the repository or its marketplace file is gone: if it moved, the new place is found by the next crawl's code search.",
    "gone": "GitHub answered that the repository is gone (deleted, made private or blocked): if it moved, the new place is found by the next crawl's code search.",
    "ref_not_found": "The branch or tag the source list names does not exist: fix the ref in data/sources.toml, or push it.",
    "forbidden": "GitHub refused to show the repository (it may be private or blocked): make it public to be listed.",
    "tree": "GitHub could not list the repository's files: nothing to fix unless it stays; very large repositories are read in parts.",
    "truncated": "GitHub's answer was cut short: nothing to fix unless it stays; the next crawl tries again.",
    "fetch_failed": "GitHub did not answer for this repository; the index keeps its last listing and tries again every night. Nothing to fix unless it stays stale.",
    "server_error": "GitHub answered with a server error; the index keeps its last listing and tries again every night. Nothing to fix unless it stays stale.",
    "transport": "The connection to GitHub failed; the index keeps its last listing and tries again every night. Nothing to fix unless it stays stale.",
    "rate_limited": "The crawl ran out of GitHub's request allowance before reaching this repository; the next crawl reads it. Nothing to fix.",
    "budget_exhausted": "The crawl's own request budget ran out before this repository; the next crawl reads it. Nothing to fix.",
    "no_marketplace": f"The repository has no {MARKETPLACE_FILE} at the ref crawled: add it (or fix the ref in data/sources.toml), and the next crawl reads it.",
    "graphql": "GitHub's API gave an error for this repository; the next crawl tries again. Nothing to fix unless it stays stale.",
    "graphql_error": "GitHub's API gave an error for this repository; the next crawl tries again. Nothing to fix unless it stays stale.",
}
OTHER = "Run “claude plugin validate .” in the repository: a marketplace it accepts is listed by the next nightly crawl."


class SourceEntry(Strict):
    id: str  # owner/repo (local/<name> for a folder that is not a GitHub checkout)
    state: SourceState
    reason: str | None = None  # the code of what went wrong (a key of ``fixes``), None when fresh
    last_error: str | None = None
    stale_since: str | None = None
    last_crawled: str  # when the crawl that made this file last tried the source
    marketplace: str | None = None  # the slug of its page (marketplaces/<slug>/) when it is listed
    plugins: int = 0  # plugins listed from it


class SourcesFile(Strict):
    schema_version: int
    generated_at: str
    fixes: dict[str, str]
    other_fix: str
    sources: list[SourceEntry]


def reason_of(error: str | None) -> str | None:
    """The code at the head of a source's last error (``invalid_json:syntax: .claude-plugin/...``)."""
    if not error:
        return None
    found = _REASON.match(error)
    return found.group(0) if found else "other"


def sources_file(snapshot: Snapshot) -> SourcesFile:
    markets = {m.id: m for m in snapshot.marketplaces}
    entries = []
    for status in sorted(snapshot.sources, key=lambda s: (s.id.lower(), s.id)):
        market = markets.get(status.id)
        entries.append(
            SourceEntry(
                id=status.id,
                state=status.state,
                reason=reason_of(status.last_error) if status.state != "fresh" else None,
                last_error=status.last_error,
                stale_since=status.stale_since,
                last_crawled=snapshot.generated_at,
                marketplace=market.slug if market is not None else None,
                plugins=len(market.plugin_ids) if market is not None else 0,
            )
        )
    return SourcesFile(
        schema_version=SCHEMA_VERSION, generated_at=snapshot.generated_at, fixes=FIXES, other_fix=OTHER, sources=entries
    )
