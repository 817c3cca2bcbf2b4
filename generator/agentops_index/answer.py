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
import http.client
import json
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agentops_index import __version__, rank
from agentops_index.config import CHECKOUT, PACKAGED, Ranking, Search, check_site_url, load_ranking, load_search, read_toml
from agentops_index.discover import discover, pick_template
from agentops_index.errors import AgentopsError, ConfigError, InputError
from agentops_index.patterns import load_patterns, meta_summary
from agentops_index.present import fenced
from agentops_index.prime import prime
from agentops_index.search import documents, fuzzy, queryfile, sqlpostings, store, terms
from agentops_index.search.query import Searcher
from agentops_index.snapshot.categories import load_taxonomy
from agentops_index.workflows import load_templates

QUERY_FILE = "query.json.gz"
ASSISTANT_FILE = "assistant.json.gz"
ASSISTANT_FORMAT = "agentops-index/assistant"
ASSISTANT_VERSION = 1
DOWNLOAD_CAP = 64 * 1024 * 1024  # bytes: the query file is 6.7 MB at 30,000 plugins
DEADLINE = 300  # seconds a whole download may take
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


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def checked_source(value: str, where: str) -> str:
    """A --snapshot or $AGENTOPS_SNAPSHOT value: a local path, an https URL, or http on this
    machine only (a served local build). Anything else is refused before a request is made."""
    if "://" not in value:
        return value
    parts = urllib.parse.urlsplit(value)
    allowed = parts.scheme == "https" or (parts.scheme == "http" and (parts.hostname or "") in LOOPBACK)
    plain = parts.username is None and parts.password is None and bool(parts.hostname) and not any(c.isspace() for c in value)
    if allowed and plain:
        return value
    raise InputError(f"{where}: expected a local path, an https URL, or http://localhost")


def catalog() -> tuple[str, str]:
    """Where to read from, and what chose it (for error messages)."""
    chosen = os.environ.get("AGENTOPS_SNAPSHOT", "").strip()
    if chosen:
        return checked_source(chosen, "$AGENTOPS_SNAPSHOT"), "$AGENTOPS_SNAPSHOT"
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
        url = value.split("#", 1)[0].split("?", 1)[0]
        if url.endswith(("/snapshot.json", "/" + QUERY_FILE, "/" + ASSISTANT_FILE)):
            base = url.rsplit("/", 1)[0] + "/"
        elif url.rstrip("/").endswith("/api/v1"):
            base = url.rstrip("/") + "/"
        else:
            base = url.rstrip("/") + "/api/v1/"
        return base + QUERY_FILE, base + ASSISTANT_FILE
    path = Path(value).expanduser()
    if path.is_dir():
        folder = path / "api" / "v1" if (path / "api" / "v1").is_dir() else path
    elif path.is_file():
        folder = path.parent
    else:
        raise InputError(f"{value[:200]}: no such file or folder")
    return str(folder / QUERY_FILE), str(folder / ASSISTANT_FILE)


def cache_root() -> Path:
    """$XDG_CACHE_HOME/agentops-index/reader, or ~/.cache/...; a relative $XDG_CACHE_HOME is
    ignored, as the XDG specification says (it would put the cache in the user's project)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "agentops-index" / "reader"


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects only where a first request may go: https, or http on this machine."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        checked_source(newurl, f"{req.full_url}: redirect")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.OpenerDirector()  # http(s) only: no file:, ftp: or data: URLs, no proxies from the environment
for _handler in (
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    _Redirects(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
):
    _OPENER.add_handler(_handler)


def _download(request: urllib.request.Request, url: str) -> tuple[int, bytes, str | None]:
    """(status, body, ETag) of one request; the body read within DEADLINE seconds and DOWNLOAD_CAP bytes."""
    try:
        with _OPENER.open(request, timeout=TIMEOUT) as response:
            started, chunks, size = time.monotonic(), [], 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > DOWNLOAD_CAP:
                    raise InputError(f"{url}: larger than {DOWNLOAD_CAP} bytes")
                if time.monotonic() - started > DEADLINE:
                    raise InputError(f"{url}: the download took longer than {DEADLINE} s")
                chunks.append(chunk)
            etag = response.headers.get("ETag")
            return int(response.status), b"".join(chunks), etag if isinstance(etag, str) and len(etag) < 200 else None
    except urllib.error.HTTPError as exc:
        return exc.code, b"", None


def fetch(url: str) -> bytes:
    """The bytes of a URL, downloaded or revalidated by ETag (the cached copy when offline or
    when the server fails), or of a local file."""
    if not url.startswith(("https://", "http://")):
        path = Path(url)
        if not path.is_file():
            raise InputError(f"{url[:200]}: no such file (a built site has it under api/v1/)")
        if path.stat().st_size > DOWNLOAD_CAP:
            raise InputError(f"{url[:200]}: larger than {DOWNLOAD_CAP} bytes")
        return path.read_bytes()
    folder = cache_root() / "downloads" / hashlib.sha256(url.encode()).hexdigest()[:16]
    target = folder / FORMAT_NAME.sub("_", url.rsplit("/", 1)[-1])
    meta_file = folder / "etag.json"  # the ETag and the digest of the body it stands for, together
    cached: bytes | None = None
    etag: str | None = None
    try:
        meta = json.loads(meta_file.read_text("utf-8"))
        body = target.read_bytes()
        if isinstance(meta, dict) and meta.get("sha256") == hashlib.sha256(body).hexdigest():
            cached, etag = body, meta.get("etag") if isinstance(meta.get("etag"), str) else None
    except (OSError, ValueError):
        pass
    headers = {"User-Agent": f"agentops-answer/{__version__}", "Accept-Encoding": "identity"}
    if cached is not None and etag:
        headers["If-None-Match"] = etag
    try:
        status, body, new_etag = _download(urllib.request.Request(url, headers=headers), url)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        if cached is not None:
            return cached  # offline: the copy from the last time is the best we have
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise InputError(f"{url}: cannot download ({str(reason)[:200]})") from exc
    if status == 304 and cached is not None:
        return cached
    if status != 200:
        if cached is not None and status >= 500:
            return cached
        raise InputError(f"{url}: HTTP {status}")
    _write(target, body)
    _write(meta_file, json.dumps({"etag": new_etag, "sha256": hashlib.sha256(body).hexdigest()}).encode())
    return body


# --- the query store ----------------------------------------------------------------------------


def settings() -> tuple[Search, Ranking]:
    return load_search(data_path("search.toml")), load_ranking(data_path("ranking.toml"))


def code_digest() -> str:
    """What the index is made by: the modules that write the store and postings. A reader whose
    code changed never answers from an index the old code built."""
    digest = hashlib.sha256(__version__.encode())
    for module in (documents, queryfile, sqlpostings, store, terms, fuzzy, rank):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _prune(folder: Path, keep: Path) -> None:
    """Keep the three most recently used indexes; remove builds left behind an hour ago."""
    entries = []
    for entry in folder.iterdir():
        try:
            entries.append((entry.stat().st_mtime, entry))
        except OSError:
            continue  # removed meanwhile by another run
    now = time.time()
    for mtime, entry in entries:
        if entry.name.startswith(".tmp-") and now - mtime > 3600:
            shutil.rmtree(entry, ignore_errors=True)
    built = sorted((e for e in entries if not e[1].name.startswith(".")), reverse=True)
    for _, entry in built[3:]:
        if entry != keep:
            shutil.rmtree(entry, ignore_errors=True)


def prepare(raw: bytes, where: str, ranking: Ranking, root: Path | None = None) -> Path:
    """The folder of the query store and postings for a query file, built once per content,
    ranking settings and code."""
    digest = hashlib.sha256(raw)
    digest.update(json.dumps([code_digest(), ranking.weights, ranking.scales, ranking.penalties], sort_keys=True).encode())
    target = (root or cache_root()) / "indexes" / digest.hexdigest()[:24]
    if (target / store.STORE_FILE).is_file():
        try:
            os.utime(target)  # recently used: kept when older indexes are pruned
        except OSError:
            pass
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
        _prune(target.parent, target)
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


TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ROW_KEYS = (
    "id", "name", "description", "category", "score", "parts", "penalties", "risk", "capabilities", "context_tokens", "components", "bundles",
)  # fmt: skip


def _plan(plan: Any, key: str, where: str) -> dict[str, Any]:
    """One template's plan as the reader uses it: the workflow, the steps and the success
    probability. The commands to record runs are written here, never taken from the file."""
    _need(isinstance(plan, dict), f"{where}: expected a plan")
    workflow, chance, steps = plan.get("workflow"), plan.get("success_probability"), plan.get("steps")
    _need(isinstance(workflow, dict) and workflow.get("id") == key, f"{where}.workflow.id: expected the template's id")
    install = workflow.get("install", [])
    _need(
        isinstance(install, list) and all(isinstance(x, str) and queryfile.INSTALL_LINE.match(x) for x in install),
        f"{where}.workflow.install: expected /plugin install or marketplace add commands",
    )
    url = workflow.get("marketplace_url")
    _need(
        url is None or (isinstance(url, str) and bool(queryfile.INSTALL_LINE.match(f"/plugin marketplace add {url}"))),
        f"{where}.workflow.marketplace_url: expected a URL",
    )
    _need(
        isinstance(chance, dict)
        and (chance.get("value") is None or queryfile._share(chance.get("value")))
        and queryfile._int(chance.get("runs"))
        and isinstance(chance.get("basis"), str),
        f"{where}.success_probability: expected a value from 0 to 1 or null, runs and basis",
    )
    _need(
        isinstance(steps, list)
        and all(isinstance(x, dict) and isinstance(x.get("stage"), str) and TEMPLATE_ID.match(x["stage"]) for x in steps),
        f"{where}.steps: expected steps with a stage id",
    )
    mine = [
        {
            **step,
            "step": number,
            "record": f"agentops-index metrics record --bundle {key} --stage {step['stage']} --seconds <seconds>",
        }
        for number, step in enumerate(steps, 1)
    ]
    return {"workflow": workflow, "success_probability": chance, "steps": mine}


def _row(row: Any, where: str) -> dict[str, Any]:
    _need(isinstance(row, dict) and isinstance(row.get("id"), str), f"{where}: expected a row with an id")
    _need(queryfile._share(row.get("score", 0)), f"{where}.score: expected a number from 0 to 1")
    return {k: row[k] for k in ROW_KEYS if k in row}


def read_assistant(raw: bytes, where: str) -> dict[str, Any]:
    """A downloaded assistant file, checked as far as the reader reads it; a bad one is one line
    naming the field (never the value: it is a stranger's text)."""
    try:
        body = queryfile.loads(queryfile.unpacked(raw, where))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: not JSON ({str(exc)[:200]})") from exc
    _need(
        isinstance(body, dict) and body.get("format") == ASSISTANT_FORMAT,
        f"{where}: format: not an agentops-index assistant file",
    )
    _need(body.get("format_version") == ASSISTANT_VERSION, f"{where}: format_version: this reader reads {ASSISTANT_VERSION}")
    plans, data = body.get("plans"), body.get("analyze")
    _need(isinstance(plans, dict), f"{where}: plans: expected an object")
    _need(all(isinstance(k, str) and TEMPLATE_ID.match(k) for k in plans), f"{where}: plans: expected template ids as keys")
    _need(isinstance(data, dict), f"{where}: analyze: expected an object")
    for key in ("plugins", "clashes", "bundles"):
        _need(isinstance(data.get(key), list), f"{where}: analyze.{key}: expected a list")
    _need(
        all(isinstance(c, dict) and _id_pair(c.get("plugins")) and isinstance(c.get("why"), str) for c in data["clashes"]),
        f"{where}: analyze.clashes: expected pairs of ids with a reason",
    )
    _need(
        all(
            isinstance(b, dict)
            and isinstance(b.get("bundle"), str)
            and isinstance(b.get("plugins"), list)
            and all(isinstance(p, str) for p in b["plugins"])
            for b in data["bundles"]
        ),
        f"{where}: analyze.bundles: expected bundles with plugin ids",
    )
    return {
        "plans": {key: _plan(plan, key, f"{where}: plans.{key}") for key, plan in plans.items()},
        "analyze": {
            "plugins": [_row(row, f"{where}: analyze.plugins[{n}]") for n, row in enumerate(data["plugins"][:ANALYZE_LIMIT])],
            "clashes": [{"plugins": c["plugins"], "why": c["why"]} for c in data["clashes"]],
            "bundles": [{"bundle": b["bundle"], "plugins": b["plugins"]} for b in data["bundles"]],
        },
    }


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
        answer = searcher.query(" ".join(args.query), limit=args.limit).as_dict()
    return answer, headline("search", answer)


def run_discover(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = discover(
            " ".join(args.intent),
            searcher,
            load_taxonomy(data_path("categories.toml")).lexicon,
            load_templates(data_path("workflows")),
        )
    return answer, headline("discover", answer)


def run_prime(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = prime(Path(args.dir), " ".join(args.words), searcher, args.limit)
    return answer, headline("prime", answer)


def run_orchestrate(source: str, args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    templates = load_templates(data_path("workflows"))
    intent = " ".join(args.intent)
    words, cats, template, note = pick_template(intent, load_taxonomy(data_path("categories.toml")).lexicon, templates)
    answer: dict[str, Any] = {"intent": intent, "keywords": words, "categories": cats, "note": note}
    if template is None:
        answer.update(workflow=None, note="no workflow template fits these words")
    else:
        plan = assistant(source)["plans"].get(template.id)
        if plan is None:
            answer.update(workflow=None, note=f"this catalog has no plan for the {template.id} workflow yet")
        else:
            answer.update(plan)
            answer["record_outcome"] = f"agentops-index metrics record --bundle {template.id} --outcome success|failure"
            answer["recorded_runs"] = (
                "recording an outcome needs the agentops-index CLI, and only the CLI counts runs recorded in this project;"
                " success_probability counts the runs the catalog was built with"
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
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=int, choices=range(1, 51), default=10, metavar="1-50")
    search.set_defaults(run=run_search)
    disc = commands.add_parser("discover", help="Plugins and a workflow for an intent.")
    disc.add_argument("intent", nargs="*", default=[])
    disc.set_defaults(run=run_discover)
    pr = commands.add_parser("prime", help="Plugins for the project in --dir, and for WORDS.")
    pr.add_argument("words", nargs="*", default=[])
    pr.add_argument("--dir", default=".")
    pr.add_argument("--limit", type=int, choices=range(1, 21), default=8, metavar="1-20")
    pr.set_defaults(run=run_prime)
    orch = commands.add_parser("orchestrate", help="A workflow of plugins for an intent.")
    orch.add_argument("intent", nargs="*", default=[])
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
            source, _ = (checked_source(args.snapshot, "--snapshot"), "--snapshot") if args.snapshot else catalog()
        answer, lines = args.run(source, args)
        print(fenced(answer, lines))
        return 0
    except AgentopsError as exc:
        message = str(exc)
    except Exception as exc:  # never a traceback: one line, whatever a download or a project holds
        message = f"cannot answer: {type(exc).__name__}: {str(exc)[:300]}"
    print(f"agentops-answer: error: {' '.join(message.split())[:1000]}", file=sys.stderr)
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
