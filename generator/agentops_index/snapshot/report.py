"""The crawl report (``crawl-report.json`` beside a snapshot): what a crawl did, its accounting
identity, skips, unreadable sources and what it cost. Not part of the snapshot's schema."""

from __future__ import annotations

from agentops_index.snapshot.models import SCHEMA_VERSION, ClientCount, Strict, Totals


class ReportSkip(Strict):
    marketplace: str
    index: int
    reason: str


class ReportUnreadable(Strict):
    source: str
    reason: str


class Usage(Strict):
    """What a crawl cost against GitHub's limits."""

    requests: int
    graphql_requests: int
    rest_requests: int
    graphql_points: int
    retries: int = 0
    slept_seconds: float = 0.0
    refused_hosts: list[str] = []


class Discovery(Strict):
    """Where this run's marketplace sources came from, and what finding them cost."""

    curated: int
    code_search: int  # new ones, not in the curated list
    referenced: int  # new ones named as plugin sources by marketplaces in the previous snapshot
    earlier: int = 0  # found by an earlier run's discovery (in the previous snapshot), not found again
    without_marketplace: int  # candidates that turned out to have no marketplace.json
    requests: int
    errors: list[str] = []
    by_format: dict[str, int] = {}  # repositories code search found by each client's catalog path, and by skill files


class CrawlReport(Strict):
    """What a crawl did: the accounting identity, skips and unreadable sources."""

    schema_version: int = SCHEMA_VERSION
    generated_at: str
    snapshot: str  # file name of the snapshot it describes
    totals: Totals
    accounting_holds: bool  # entries == recorded + skipped
    skipped: list[ReportSkip]
    unreadable: list[ReportUnreadable]
    findings_by_code: dict[str, int]
    usage: Usage | None = None
    discovery: Discovery | None = None
    clients: dict[str, ClientCount] = {}  # every client's catalog entries (Claude's included), summed by client
