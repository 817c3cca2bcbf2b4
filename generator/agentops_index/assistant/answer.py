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
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from agentops_index import __version__
from agentops_index.assistant.answer_source import (
    SAMPLE,
    SAMPLE_LINE,
    catalog,
    checked_source,
    data_path,
    fetch,
    locations,
    open_searcher,
)
from agentops_index.assistant.discover import discover, pick_template
from agentops_index.assistant.present import fenced, headline
from agentops_index.assistant.prime import prime
from agentops_index.assistant.shapes import Analysis, Comparison
from agentops_index.bundles.patterns import load_patterns, meta_summary
from agentops_index.bundles.workflows import load_templates
from agentops_index.errors import AgentopsError, InputError
from agentops_index.search import queryfile
from agentops_index.snapshot.categories import load_taxonomy

ASSISTANT_FORMAT = "agentops-index/assistant"
ASSISTANT_VERSION = 1
ANALYZE_LIMIT = 50  # plugins whose comparison the site publishes (analyze-plugins --limit at most)
MAX_CLASHES = 40


# --- what the build publishes for orchestrate and analyze-plugins -------------------------------


def analysis(data: Comparison, limit: int) -> Analysis:
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
RECORD_LINE = re.compile(
    r"^agentops-index metrics record --bundle [a-z0-9][a-z0-9-]{0,63}"
    r"(?: --stage [a-z0-9][a-z0-9-]{0,63} --seconds <seconds>| --outcome success\|failure)$"
)
URL_LINE = re.compile(r"^https?://[A-Za-z0-9._~:/%+@-]{1,300}$")
# The two ways assist.success_probability says how it got its value.
BASIS = re.compile(
    r"^(?:unknown: no recorded runs of this bundle yet|\d{1,9} of \d{1,9} recorded runs succeeded \(Laplace-smoothed: \(s\+1\)/\(n\+2\)\))$"
)


def _install_lines(value: Any) -> bool:
    lines = value if isinstance(value, list) else [value]
    return all(isinstance(x, str) and bool(queryfile.INSTALL_LINE.match(x)) for x in lines)


def _record_line(value: Any) -> bool:
    return isinstance(value, str) and bool(RECORD_LINE.match(value))


# For each key whose text ``present.fenced`` leaves whole, URLs and all (``present.OUR_URL_KEYS``;
# a test keeps the two equal): what a downloaded value there must be.
OURS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "install": (_install_lines, "expected /plugin install or marketplace add commands"),
    "record": (_record_line, "expected an agentops-index metrics record command"),
    "record_outcome": (_record_line, "expected an agentops-index metrics record command"),
    "marketplace_url": (lambda v: v is None or (isinstance(v, str) and bool(URL_LINE.match(v))), "expected a URL"),
}


def _ours_only(value: Any, where: str) -> None:
    """The keys of ``OURS`` hold what we write there, wherever they sit in a downloaded plan or row."""
    if isinstance(value, list):
        for item in value:
            _ours_only(item, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in OURS:
                test, expected = OURS[key]
                _need(test(item), f"{where}: {key}: {expected}")
            else:
                _ours_only(item, where)


STEP_KEYS = ("step", "stage", "role", "use", "receives", "passes", "record")
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
        and isinstance(chance.get("basis"), str)
        and bool(BASIS.match(chance["basis"])),
        f"{where}.success_probability: expected a value from 0 to 1 or null, runs and basis",
    )
    _ours_only(workflow, f"{where}.workflow")
    _need(
        isinstance(steps, list)
        and all(isinstance(x, dict) and isinstance(x.get("stage"), str) and TEMPLATE_ID.match(x["stage"]) for x in steps),
        f"{where}.steps: expected steps with a stage id",
    )
    mine = [
        {
            **{k: step[k] for k in STEP_KEYS if k in step},
            "step": number,
            "record": f"agentops-index metrics record --bundle {key} --stage {step['stage']} --seconds <seconds>",
        }
        for number, step in enumerate(steps, 1)
    ]
    _ours_only(mine, f"{where}.steps")
    return {"workflow": workflow, "success_probability": {k: chance[k] for k in ("value", "runs", "basis")}, "steps": mine}


def _row(row: Any, where: str) -> dict[str, Any]:
    _need(isinstance(row, dict) and isinstance(row.get("id"), str), f"{where}: expected a row with an id")
    _need(queryfile._share(row.get("score", 0)), f"{where}.score: expected a number from 0 to 1")
    kept = {k: row[k] for k in ROW_KEYS if k in row}
    _ours_only(kept, where)
    return kept


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


def run_search(source: str, args: argparse.Namespace) -> tuple[Mapping[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = searcher.query(" ".join(args.query), limit=args.limit).as_dict()
    return answer, headline("search", answer)


def run_discover(source: str, args: argparse.Namespace) -> tuple[Mapping[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = discover(
            " ".join(args.intent),
            searcher,
            load_taxonomy(data_path("categories.toml")).lexicon,
            load_templates(data_path("workflows")),
        )
    return answer, headline("discover", answer)


def run_prime(source: str, args: argparse.Namespace) -> tuple[Mapping[str, Any], list[str]]:
    with open_searcher(source) as searcher:
        answer = prime(Path(args.dir), " ".join(args.words), searcher, args.limit)
    return answer, headline("prime", answer)


def run_orchestrate(source: str, args: argparse.Namespace) -> tuple[Mapping[str, Any], list[str]]:
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


def run_analyze(source: str, args: argparse.Namespace) -> tuple[Mapping[str, Any], list[str]]:
    answer = analysis(assistant(source)["analyze"], args.limit)
    return answer, headline("analyze-plugins", answer)


def run_patterns(_: str, args: argparse.Namespace) -> tuple[Mapping[str, Any], list[str]]:
    root = Path(args.dir)
    if not root.is_dir():  # e.g. ${CLAUDE_PLUGIN_ROOT} left unexpanded: say so, never show nothing
        raise InputError(f"--dir {root}: no such folder of patterns")
    found = load_patterns(root)
    summary = meta_summary(found)
    answer = {"summary": summary, "patterns": [found[k] for k in sorted(found)]}
    return answer, headline("patterns", answer)


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (through ``main``), not a usage block: Claude shows them as they are."""

    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")


WORDS_CAP = 2000  # characters of the user's words read from stdin


def _stdin_words() -> list[str]:
    """The user's words, given on stdin (``-`` in their place): the command files pass
    $ARGUMENTS through a quoted here-document, so nothing in them reaches a shell."""
    return sys.stdin.read(WORDS_CAP).split()


def _words(args: argparse.Namespace) -> None:
    """Fill in the words given as ``-`` from stdin; options the user typed among them count."""
    for name in ("query", "intent", "words"):
        given = getattr(args, name, None)
        if given == ["-"]:
            setattr(args, name, _stdin_words())
    words = getattr(args, "intent", getattr(args, "words", None))
    if args.command == "orchestrate" and words and "--plan-only" in words:
        args.plan_only = True
        args.intent = [w for w in words if w != "--plan-only"]
    if args.command == "analyze-plugins" and args.words:
        numbers = [int(w) for w in re.findall(r"\d+", " ".join(args.words))]
        if numbers:
            if not 2 <= numbers[0] <= ANALYZE_LIMIT:
                raise InputError(f"analyze-plugins: how many plugins: from 2 to {ANALYZE_LIMIT}, not {numbers[0]}")
            args.limit = numbers[0]
    if (
        args.command in ("search", "discover", "orchestrate")
        and not " ".join(getattr(args, "query", None) or getattr(args, "intent", None) or []).strip()
    ):
        raise InputError(f"{args.command}: say what you are looking for (the words after the command)")


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="agentops-answer", description="Answers for the agentops plugins' commands, with python3 alone.")
    top.add_argument(
        "--snapshot",
        help="A site root, its api/v1/snapshot.json or query.json.gz (URL or path). Default: $AGENTOPS_SNAPSHOT, else the published catalog.",
    )
    top.add_argument("--version", action="version", version=f"agentops-answer {__version__}")
    commands = top.add_subparsers(dest="command", required=True)
    words = "the user's words; - reads them from stdin"
    search = commands.add_parser("search", help="Plugins for a query, best first.")
    search.add_argument("query", nargs="*", default=[], help=words)
    search.add_argument("--limit", type=int, choices=range(1, 51), default=10, metavar="1-50")
    search.set_defaults(run=run_search)
    disc = commands.add_parser("discover", help="Plugins and a workflow for an intent.")
    disc.add_argument("intent", nargs="*", default=[], help=words)
    disc.set_defaults(run=run_discover)
    pr = commands.add_parser("prime", help="Plugins for the project in --dir, and for WORDS.")
    pr.add_argument("words", nargs="*", default=[], help=words)
    pr.add_argument("--dir", default=".")
    pr.add_argument("--limit", type=int, choices=range(1, 21), default=8, metavar="1-20")
    pr.set_defaults(run=run_prime)
    orch = commands.add_parser("orchestrate", help="A workflow of plugins for an intent.")
    orch.add_argument("intent", nargs="*", default=[], help=words + " (--plan-only among them counts)")
    orch.add_argument("--plan-only", action="store_true")
    orch.set_defaults(run=run_orchestrate)
    an = commands.add_parser("analyze-plugins", help="How the top plugins compare and combine.")
    an.add_argument(
        "words", nargs="*", default=[], help="how many plugins, as a number anywhere in the words; - reads them from stdin"
    )
    an.add_argument("--limit", type=int, choices=range(2, ANALYZE_LIMIT + 1), default=10, metavar=f"2-{ANALYZE_LIMIT}")
    an.set_defaults(run=run_analyze)
    pat = commands.add_parser("patterns", help="The learning loop's patterns shipped with the plugin.")
    pat.add_argument("--dir", required=True)
    pat.set_defaults(run=run_patterns, local=True)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        _words(args)
        source, origin = "", ""
        if not getattr(args, "local", False):
            source, origin = (checked_source(args.snapshot, "--snapshot"), "--snapshot") if args.snapshot else catalog()
        answer, lines = args.run(source, args)
        if origin == SAMPLE:
            lines = [SAMPLE_LINE, *lines]
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
