"""The agentops plugins' reader: answers for the Claude commands with ``python3`` alone.

Someone who adds this repository's marketplace to Claude Code has Claude Code and ``python3``,
not ``agentops-index``. Each plugin ships a generated copy of this module and of the query side
of the package (``reader_copy.py`` lists them; a test keeps the copies current), so the
commands answer from the published catalog with the same ranking as the CLI:

- ``api/v1/query.json.gz`` (every plugin's query record) is downloaded once and revalidated by
  ETag; the reader writes the same documents the CLI's Whoosh index holds into SQLite
  (``search/sqlpostings.py``) and answers with the CLI's own ``Searcher``: search, discover and
  prime give the CLI's results, in the CLI's order;
- ``api/v1/assistant.json.gz`` holds what needs the CLI's bundle builder (pydantic): each
  workflow template's plan for orchestrate, and the top plugins with their clashes and bundles
  for analyze-plugins, computed by the build that published the catalog;
- show-patterns reads the patterns shipped in the meta-orchestrator plugin.

Where: ``--snapshot`` or ``$AGENTOPS_SNAPSHOT`` (a site root, its ``api/v1/snapshot.json`` or
``query.json.gz``, as a URL or a local path), else the published site named in the reader's
``data/catalog.toml``, which the nightly writes. Output is the fenced form of ``present.fenced``
(SECURITY.md §5.4); anything that goes wrong is one line on stderr and exit status 1, never a
traceback.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentops_index import __version__
from agentops_index.config import CHECKOUT, PACKAGED, Ranking, Search, check_site_url, load_ranking, load_search, read_toml
from agentops_index.discover import discover, pick_template
from agentops_index.errors import AgentopsError, ConfigError, InputError
from agentops_index.patterns import load_patterns, meta_summary
from agentops_index.present import fenced
from agentops_index.prime import prime
from agentops_index.search import documents, queryfile, sqlpostings, store
from agentops_index.search.query import Searcher
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.workflows import load_templates

QUERY_FILE = "query.json.gz"
ASSISTANT_FILE = "assistant.json.gz"
ASSISTANT_FORMAT = "agentops-index/assistant"
ASSISTANT_VERSION = 1
DOWNLOAD_CAP = 256 * 1024 * 1024  # bytes: the query file is about 10 MB at 30,000 plugins
ANALYZE_LIMIT = 50  # plugins whose comparison the site publishes (analyze-plugins --limit at most)
MAX_CLASHES = 40
TIMEOUT = 30  # seconds a request may take
FORMAT_NAME = re.compile(r"[^A-Za-z0-9._-]")


# --- where the data is --------------------------------------------------------------------------


def data_path(name: str) -> Path:
    """One of our own data files: the copy beside the reader in a plugin, else the package's.
    Never the current folder's: a project must not change how the plugins rank or where they read."""
    for folder in (Path(__file__).resolve().parent / "data", PACKAGED, CHECKOUT):
        if (folder / name).exists():
            return folder / name
    raise ConfigError(f"{name}: not found beside the reader")


def catalog() -> tuple[str, str]:
    """Where to read from, and what chose it (for error messages)."""
    chosen = os.environ.get("AGENTOPS_SNAPSHOT", "").strip()
    if chosen:
        return chosen, "$AGENTOPS_SNAPSHOT"
    path = data_path("catalog.toml")
    site = read_toml(path).get("site", "")
    if not isinstance(site, str) or not site.strip():
        raise InputError(
            f"no catalog to read: {path} names no published site yet; "
            "set AGENTOPS_SNAPSHOT to a site, its api/v1/snapshot.json or a local copy"
        )
    return check_site_url(site.strip(), f"{path}: site"), str(path)


def locations(value: str) -> tuple[str, str]:
    """The query file and the assistant file for a site root, a snapshot or a query file (URL or path)."""
    if value.startswith(("https://", "http://")):
        if value.endswith(("/snapshot.json", "/" + QUERY_FILE, "/" + ASSISTANT_FILE)):
            base = value.rsplit("/", 1)[0] + "/"
        else:
            base = value.rstrip("/") + "/api/v1/"
        return base + QUERY_FILE, base + ASSISTANT_FILE
    path = Path(value).expanduser()
    if path.is_dir():
        folder = path / "api" / "v1" if (path / "api" / "v1").is_dir() else path
    elif path.is_file():
        folder = path.parent
    else:
        raise InputError(f"{value}: no such file or folder")
    return str(folder / QUERY_FILE), str(folder / ASSISTANT_FILE)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agentops-index" / "reader"


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)


def fetch(url: str) -> bytes:
    """The bytes of a URL, downloaded or revalidated by ETag (the cached copy when offline), or
    of a local file."""
    if not url.startswith(("https://", "http://")):
        path = Path(url)
        if not path.is_file():
            raise InputError(f"{url}: no such file (a built site has it under api/v1/)")
        if path.stat().st_size > DOWNLOAD_CAP:
            raise InputError(f"{url}: larger than {DOWNLOAD_CAP} bytes")
        return path.read_bytes()
    folder = cache_root() / "downloads" / hashlib.sha256(url.encode()).hexdigest()[:16]
    target = folder / FORMAT_NAME.sub("_", url.rsplit("/", 1)[-1])
    etag_file = folder / "etag"
    request = urllib.request.Request(url, headers={"User-Agent": f"agentops-answer/{__version__}", "Accept-Encoding": "identity"})
    if target.is_file() and etag_file.is_file():
        request.add_header("If-None-Match", etag_file.read_text("utf-8").strip())
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            body: bytes = response.read(DOWNLOAD_CAP + 1)
            etag = response.headers.get("ETag")
    except urllib.error.HTTPError as exc:
        if exc.code == 304 and target.is_file():
            return target.read_bytes()
        raise InputError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if target.is_file():
            return target.read_bytes()  # offline: the copy from the last time is the best we have
        reason = getattr(exc, "reason", exc)
        raise InputError(f"{url}: cannot download ({reason})") from exc
    if len(body) > DOWNLOAD_CAP:
        raise InputError(f"{url}: larger than {DOWNLOAD_CAP} bytes")
    _write(target, body)
    if etag and len(etag) < 200:
        _write(etag_file, etag.encode("utf-8"))
    elif etag_file.exists():
        etag_file.unlink()
    return body


# --- the query store ----------------------------------------------------------------------------


def settings() -> tuple[Search, Ranking]:
    return load_search(data_path("search.toml")), load_ranking(data_path("ranking.toml"))


def prepare(raw: bytes, where: str, ranking: Ranking, root: Path | None = None) -> Path:
    """The folder of the query store and postings for a query file, built once per content."""
    digest = hashlib.sha256(raw)
    digest.update(json.dumps([__version__, ranking.weights, ranking.scales, ranking.penalties], sort_keys=True).encode())
    target = (root or cache_root()) / "indexes" / digest.hexdigest()[:24]
    if (target / store.STORE_FILE).is_file():
        return target
    header, records = queryfile.read_query_file(raw, where)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".tmp-{os.getpid()}-{os.urandom(4).hex()}"
    tmp.mkdir()
    try:
        arranged = store.arrange(records)
        docs = sqlpostings.write(tmp / store.STORE_FILE, [documents.document(r, g, rep, ranking) for r, g, rep in arranged])
        meta = {k: str(v) for k, v in header.items() if v is not None}
        store.build(tmp / store.STORE_FILE, arranged, docs, {**meta, "plugins": str(len(records))})
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / store.STORE_FILE).is_file():  # not a concurrent build of the same folder
                raise
        for old in sorted(target.parent.iterdir(), key=lambda p: p.stat().st_mtime)[:-3]:
            if old != target and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)  # keep the three newest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def open_searcher(source: str) -> Searcher:
    query_url, _ = locations(source)
    search, ranking = settings()
    folder = prepare(fetch(query_url), f"query file {query_url}", ranking)
    return Searcher(folder, search, ranking, sqlpostings.SqlPostings(folder / store.STORE_FILE))


# --- what the build publishes for orchestrate and analyze-plugins -------------------------------


def analysis(data: dict[str, Any], limit: int) -> dict[str, Any]:
    """analyze-plugins' answer for the top ``limit`` plugins, from the comparison of the top
    ``ANALYZE_LIMIT`` (``assist.comparison``): their rows, their clashes, the bundles that pick two."""
    rows = data["plugins"][:limit]
    top = {row["id"] for row in rows}
    clashes = [c for c in data["clashes"] if c["plugins"][0] in top and c["plugins"][1] in top]
    together = [b for b in data["bundles"] if sum(p in top for p in b["plugins"]) >= 2]
    return {
        "limit": limit,
        "plugins": rows,
        "combine_in_bundles": together,
        "clashes_total": len(clashes),
        "clashes": clashes[:MAX_CLASHES],  # the output stays bounded (SECURITY.md §5.3)
    }


def _need(ok: bool, where: str) -> None:
    if not ok:
        raise InputError(where)


def read_assistant(raw: bytes, where: str) -> dict[str, Any]:
    """A downloaded assistant file, checked as far as the reader reads it."""
    try:
        body = json.loads(queryfile.unpacked(raw, where))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: not JSON ({exc})") from exc
    _need(
        isinstance(body, dict) and body.get("format") == ASSISTANT_FORMAT,
        f"{where}: format: not an agentops-index assistant file",
    )
    _need(body.get("format_version") == ASSISTANT_VERSION, f"{where}: format_version: this reader reads {ASSISTANT_VERSION}")
    plans, data = body.get("plans"), body.get("analyze")
    _need(isinstance(plans, dict), f"{where}: plans: expected an object")
    for key, plan in plans.items():
        _need(isinstance(plan, dict) and isinstance(plan.get("workflow"), dict), f"{where}: plans.{key[:60]}: expected a plan")
        _need(isinstance(plan.get("steps", []), list), f"{where}: plans.{key[:60]}.steps: expected a list")
    _need(isinstance(data, dict), f"{where}: analyze: expected an object")
    for key in ("plugins", "clashes", "bundles"):
        _need(isinstance(data.get(key), list), f"{where}: analyze.{key}: expected a list")
    _need(
        all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in data["plugins"]),
        f"{where}: analyze.plugins: expected rows with an id",
    )
    _need(
        all(isinstance(c, dict) and _id_pair(c.get("plugins")) for c in data["clashes"]),
        f"{where}: analyze.clashes: expected pairs of ids",
    )
    _need(
        all(isinstance(b, dict) and isinstance(b.get("plugins"), list) for b in data["bundles"]),
        f"{where}: analyze.bundles: expected bundles with plugins",
    )
    checked: dict[str, Any] = body
    return checked


def _id_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(x, str) for x in value)


def assistant(source: str) -> dict[str, Any]:
    _, url = locations(source)
    return read_assistant(fetch(url), f"assistant file {url}")


# --- the commands -------------------------------------------------------------------------------


def headline(command: str, answer: dict[str, Any]) -> list[str]:
    """The computed lines printed before the fenced data, the same from the CLI and the reader."""
    if command == "search":
        return [f"agentops-index search: {answer['total']} matches, {len(answer['results'])} shown"]
    if command == "discover":
        picks = len(answer["primary"]) + len(answer["complementary"])
        return [
            f"agentops-index discover: {picks} plugins picked; workflow {answer['workflow']['id'] if answer['workflow'] else 'none'}"
        ]
    if command == "prime":
        return [f"agentops-index prime: {len(answer['topics'])} project topics, {len(answer['recommendations'])} plugins"]
    if command == "orchestrate":
        workflow = answer.get("workflow")
        chance = answer.get("success_probability")
        chance = chance if isinstance(chance, dict) else {}
        value = chance.get("value")
        return [
            f"agentops-index orchestrate: workflow {workflow['id'] if isinstance(workflow, dict) else 'none'}",
            f"success_probability: {value if value is not None else 'unknown'} ({chance.get('basis', 'no workflow')})",
        ]
    if command == "analyze-plugins":
        return [f"agentops-index analyze-plugins: {len(answer['plugins'])} plugins, {len(answer['clashes'])} clashing pairs"]
    counts = {s: len(v) for s, v in answer["summary"]["states"].items()}
    return [f"agentops-index patterns: {', '.join(f'{n} {s}' for s, n in counts.items())}"]


def run_search(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = searcher.query(args.query, limit=args.limit).as_dict()
    return answer, headline("search", answer)


def run_discover(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = discover(
            args.intent, searcher, load_taxonomy(data_path("categories.toml")).lexicon, load_templates(data_path("workflows"))
        )
    return answer, headline("discover", answer)


def run_prime(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = prime(Path(args.dir), args.words, searcher, args.limit)
    return answer, headline("prime", answer)


def run_orchestrate(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    templates = load_templates(data_path("workflows"))
    words, cats, template, note = pick_template(args.intent, load_taxonomy(data_path("categories.toml")).lexicon, templates)
    answer: dict[str, Any] = {"intent": args.intent, "keywords": words, "categories": cats, "note": note}
    plan = assistant(source)["plans"].get(template.id) if template else None
    if plan is None:
        answer.update(workflow=None, note="no workflow template fits these words")
    else:
        answer.update(plan)
        answer["recorded_runs"] = (
            "recording an outcome needs the agentops-index CLI; success_probability counts the runs the catalog was built with"
        )
    if args.plan_only:
        answer.pop("steps", None)
    return answer, headline("orchestrate", answer)


def run_analyze(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    answer = analysis(assistant(source)["analyze"], args.limit)
    return answer, headline("analyze-plugins", answer)


def run_patterns(_: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    root = Path(args.dir)
    if not root.is_dir():  # e.g. ${CLAUDE_PLUGIN_ROOT} left unexpanded: say so, never show nothing
        raise InputError(f"--dir {root}: no such folder of patterns")
    found = load_patterns(root)
    summary = meta_summary(found)
    answer = {"summary": summary, "patterns": [found[k] for k in sorted(found)]}
    return answer, headline("patterns", answer)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="agentops-answer", description="Answers for the agentops plugins' commands, with python3 alone."
    )
    top.add_argument(
        "--snapshot",
        help="A site root, its api/v1/snapshot.json or query.json.gz (URL or path). Default: $AGENTOPS_SNAPSHOT, else the published catalog.",
    )
    top.add_argument("--version", action="version", version=f"agentops-answer {__version__}")
    commands = top.add_subparsers(dest="command", required=True)
    search = commands.add_parser("search", help="Plugins for a query, best first.")
    search.add_argument("query")
    search.add_argument("--limit", type=int, choices=range(1, 51), default=10, metavar="1-50")
    search.set_defaults(run=run_search)
    disc = commands.add_parser("discover", help="Plugins and a workflow for an intent.")
    disc.add_argument("intent", nargs="?", default="")
    disc.set_defaults(run=run_discover)
    pr = commands.add_parser("prime", help="Plugins for the project in --dir, and for WORDS.")
    pr.add_argument("words", nargs="?", default="")
    pr.add_argument("--dir", default=".")
    pr.add_argument("--limit", type=int, choices=range(1, 21), default=8, metavar="1-20")
    pr.set_defaults(run=run_prime)
    orch = commands.add_parser("orchestrate", help="A workflow of plugins for an intent.")
    orch.add_argument("intent", nargs="?", default="")
    orch.add_argument("--plan-only", action="store_true")
    orch.set_defaults(run=run_orchestrate)
    an = commands.add_parser("analyze-plugins", help="How the top plugins compare and combine.")
    an.add_argument("--limit", type=int, choices=range(2, ANALYZE_LIMIT + 1), default=10, metavar=f"2-{ANALYZE_LIMIT}")
    an.set_defaults(run=run_analyze)
    pat = commands.add_parser("patterns", help="The learning loop's patterns shipped with the plugin.")
    pat.add_argument("--dir", required=True)
    pat.set_defaults(run=run_patterns, local=True)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        source = ""
        if not getattr(args, "local", False):
            source, _ = (args.snapshot, "--snapshot") if args.snapshot else catalog()
        answer, lines = args.run(source, args)
        print(fenced(answer, lines))
        return 0
    except AgentopsError as exc:
        message = str(exc)
    except (OSError, sqlite3.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
        message = f"cannot answer: {type(exc).__name__}: {exc}"
    print(f"agentops-answer: error: {' '.join(message.split())[:1000]}", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
