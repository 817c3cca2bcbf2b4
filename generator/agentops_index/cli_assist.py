"""Commands behind the agentops plugins: prime, orchestrate, analyze-plugins, patterns, metrics.

Each answers with ``--json`` (plain JSON) or ``--fenced`` (the same JSON in the form our
Claude Code commands read, SECURITY.md §5.4), or readable text by default. None of them
runs a plugin, installs anything or fetches anything but the snapshot.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from agentops_index.assistant.present import emit
from agentops_index.cli_options import base_url_option, output_options, snapshot_option
from agentops_index.config import DEFAULT_BASE_URL

# The patterns live in the meta-orchestrator plugin, so an installed plugin has them
# (/show-patterns passes --dir ${CLAUDE_PLUGIN_ROOT}/patterns); the wheel carries a copy.
PATTERNS_HOME = Path("plugins/agentops-meta-orchestrator/patterns")
PACKAGED_PATTERNS = Path(__file__).resolve().parent / "patterns"
CHECKOUT_PATTERNS = Path(__file__).resolve().parents[2] / PATTERNS_HOME


ANALYZE_IDS = 10  # plugins analyze-plugins compares by id, at most


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _metrics_folders(given: tuple[Path, ...]) -> list[Path]:
    """The user's ./metrics and the contributed data/metrics, unless folders are named."""
    from agentops_index.config import data_file

    if given:
        return list(given)
    contributed = data_file("metrics")
    return [Path("metrics"), *([contributed] if contributed else [])]


def _patterns_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    for candidate in (PATTERNS_HOME, PACKAGED_PATTERNS, CHECKOUT_PATTERNS):
        if candidate.is_dir():
            return candidate
    return PATTERNS_HOME


METRICS_DIRS = click.option(
    "--metrics",
    "metrics_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folders of recorded runs (default: ./metrics and data/metrics).",
)


def answer_options(func: Any) -> Any:
    return snapshot_option()(output_options()(func))


def _warn(problems: list[str]) -> None:
    for problem in problems[:20]:
        click.echo(f"warning: {problem}", err=True)
    if len(problems) > 20:
        click.echo(f"warning: and {len(problems) - 20} more problems in the metrics logs", err=True)


@click.command()
@click.argument("words", required=False, default="")
@click.option(
    "--dir",
    "project",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="The project whose files show what it is made of.",
)
@click.option("--limit", type=click.IntRange(1, 20), default=8, show_default=True, help="How many plugins to recommend.")
@answer_options
def prime(words: str, project: Path, limit: int, snapshot_arg: str | None, as_json: bool, as_fenced: bool) -> None:
    """Recommend plugins for the project in --dir from its files, and from WORDS.

    Reads file names and package manifests (package.json, pyproject.toml, CI, Dockerfiles,
    Terraform, docs ...) to find what the project is made of, searches for each topic, and
    ranks plugins by how many topics they serve and by their score.
    """
    from agentops_index.assistant.prime import prime as run_prime
    from agentops_index.search.session import open_searcher

    with open_searcher(snapshot_arg) as searcher:
        answer = run_prime(project, words, searcher, limit)
    from agentops_index.assistant.present import headline

    lines = headline("prime", answer)
    if emit(answer, as_json, as_fenced, lines):
        return
    click.echo(lines[0])
    for topic, files in answer["topics"].items():
        click.echo(f"  topic {topic!r} from {', '.join(files)}")
    for number, rec in enumerate(answer["recommendations"], 1):
        click.echo(f"{number:2}. {rec['id']}  fit {rec['fit']:.3f}  risk {rec['risk'] or 'none'}")
        for line in rec["install"]:
            click.echo(f"      {line}")


@click.command()
@click.argument("intent")
@click.option("--plan-only", is_flag=True, help="Only the plan and its success probability; no step-by-step walk-through.")
@base_url_option("Where the site's bundle marketplaces live.")
@METRICS_DIRS
@answer_options
def orchestrate(
    intent: str,
    plan_only: bool,
    base_url: str,
    metrics_dirs: tuple[Path, ...],
    snapshot_arg: str | None,
    as_json: bool,
    as_fenced: bool,
) -> None:
    """Turn INTENT into a workflow of compatible plugins, with its success probability.

    The probability comes from recorded runs of the same picks (agentops-index metrics
    record); with none it is reported as unknown, never guessed.
    """
    from agentops_index.assistant.assist import orchestrate as run_orchestrate
    from agentops_index.build import base_url_of
    from agentops_index.metrics import read_metrics
    from agentops_index.search.session import open_searcher

    metrics = read_metrics(_metrics_folders(metrics_dirs))
    _warn(metrics.problems)
    with open_searcher(snapshot_arg) as searcher:
        answer = run_orchestrate(intent, searcher, base_url_of(base_url), metrics)
    if plan_only:
        answer.pop("steps", None)
    from agentops_index.assistant.present import headline

    workflow = answer.get("workflow")
    lines = headline("orchestrate", answer)
    if emit(answer, as_json, as_fenced, lines):
        return
    for line in lines:
        click.echo(line)
    if answer.get("note"):
        click.echo(f"note: {answer['note']}")
    if workflow:
        for stage in workflow["stages"] + ([workflow["aggregate"]] if workflow["aggregate"] else []):
            pick = stage["pick"]["id"] if stage["pick"] else f"none ({stage['note']})"
            click.echo(f"  {stage['id']}: {stage['role']} -> {pick}")
        for line in workflow["install"]:
            click.echo(f"    {line}")
    for step in answer.get("steps", []):
        click.echo(f"step {step['step']}: {step['role']} with {step['use'] or 'no plugin'}; then: {step['record']}")
    if answer.get("record_outcome"):  # what success_probability is learnt from (a line to paste as it is)
        click.echo(f"when done: {answer['record_outcome'].replace('success|failure', 'success')} (or --outcome failure)")


@click.command("analyze-plugins")
@click.argument("ids", nargs=-1)
@click.option("--limit", type=click.IntRange(2, 50), default=10, show_default=True, help="How many top plugins to compare.")
@answer_options
def analyze_plugins(ids: tuple[str, ...], limit: int, snapshot_arg: str | None, as_json: bool, as_fenced: bool) -> None:
    """How plugins compare (score parts, risk, context cost) and combine (bundles, clashes): the
    plugins IDS names (name@owner/repo, two to ten; the site's compare/ page shows the same), else
    the top ones."""
    ids = tuple(dict.fromkeys(ids))  # a plugin named twice is compared once
    if ids and not 2 <= len(ids) <= ANALYZE_IDS:
        raise click.UsageError(f"name 2 to {ANALYZE_IDS} different plugin ids to compare (got {len(ids)})")
    from agentops_index.assistant.assist import analyze
    from agentops_index.bundles.fill import make_bundles
    from agentops_index.search.session import open_searcher

    with open_searcher(snapshot_arg) as searcher:
        bundles = [b for b, _ in make_bundles(searcher, DEFAULT_BASE_URL)]
        answer = analyze(searcher, bundles, limit, ids)
    from agentops_index.assistant.present import headline

    lines = headline("analyze-plugins", answer)
    if emit(answer, as_json, as_fenced, lines):
        return
    click.echo(lines[0])
    for row in answer["plugins"]:
        click.echo(
            f"  {row['id']}: score {row['score']}, risk {row['risk'] or 'none'}, ~{row['context_tokens']} tokens,"
            f" in bundles: {', '.join(row['bundles']) or 'none'}"
        )
    for clash in answer["clashes"]:
        click.echo(f"  clash {' + '.join(clash['plugins'])}: {clash['why']}")


@click.group()
def patterns() -> None:
    """The learning loop's patterns: discovered -> validated -> learned (plugins/agentops-meta-orchestrator/patterns/README.md)."""


PATTERNS_DIR = click.option(
    "--dir",
    "root",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The patterns folder (default: ./plugins/agentops-meta-orchestrator/patterns).",
)


@patterns.command("show")
@PATTERNS_DIR
@output_options()
def patterns_show(root: Path | None, as_json: bool, as_fenced: bool) -> None:
    """Every pattern by state, with its evidence and history."""
    from agentops_index.bundles.patterns import load_patterns, meta_summary
    from agentops_index.errors import InputError

    if root is not None and not root.is_dir():  # e.g. ${CLAUDE_PLUGIN_ROOT} left unexpanded: say so, never show nothing
        raise InputError(f"--dir {root}: no such folder of patterns")
    found = load_patterns(_patterns_dir(root))
    summary = meta_summary(found)
    answer: dict[str, Any] = {"summary": summary, "patterns": [found[k] for k in sorted(found)]}
    from agentops_index.assistant.present import headline

    lines = headline("patterns", answer)
    if emit(answer, as_json, as_fenced, lines):
        return
    click.echo(lines[0])
    for pattern in answer["patterns"]:
        e = pattern["evidence"]
        rate = "no runs" if e["success_rate"] is None else f"{e['successes']}/{e['runs']} runs succeeded"
        click.echo(f"  [{pattern['state']}] {pattern['id']}: {', '.join(p['id'] for p in pattern['plugins'])} ({rate})")


@patterns.command("sync")
@PATTERNS_DIR
@snapshot_option()
@base_url_option("Where the site's bundle marketplaces live.")
def patterns_sync(root: Path | None, snapshot_arg: str | None, base_url: str) -> None:
    """Add every complete bundle as a discovered pattern (a pattern whose picks changed starts over)."""
    from agentops_index.build import base_url_of
    from agentops_index.bundles.fill import make_bundles
    from agentops_index.bundles.learning import save_patterns, sync
    from agentops_index.bundles.patterns import load_patterns
    from agentops_index.search.session import open_searcher

    folder = root or PATTERNS_HOME
    found = load_patterns(folder)
    with open_searcher(snapshot_arg) as searcher:
        made = [b for b, _ in make_bundles(searcher, base_url_of(base_url))]
    changes = sync(found, made, base_url_of(base_url), _now())
    save_patterns(folder, found)
    for change in changes or ["no change"]:
        click.echo(change)


@patterns.command("validate")
@PATTERNS_DIR
@snapshot_option()
@click.option("--claude", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=True, help="The claude binary.")
def patterns_validate(root: Path | None, snapshot_arg: str | None, claude: Path) -> None:
    """discovered -> validated when the real `claude plugin validate` accepts the bundle's marketplace.json."""
    from agentops_index.bundles.fill import make_bundles
    from agentops_index.bundles.learning import save_patterns, validate_with_cli
    from agentops_index.bundles.patterns import load_patterns
    from agentops_index.search.session import open_searcher

    folder = root or PATTERNS_HOME
    found = load_patterns(folder)
    with open_searcher(snapshot_arg) as searcher:
        manifests = {b.id: m for b, m in make_bundles(searcher, DEFAULT_BASE_URL)}
    changes = validate_with_cli(found, manifests, claude, _now())
    save_patterns(folder, found)
    for change in changes or ["nothing to validate"]:
        click.echo(change)


@patterns.command("promote")
@PATTERNS_DIR
@METRICS_DIRS
@click.option("--min-runs", type=click.IntRange(1), default=3, show_default=True, help="Runs needed before a pattern is learned.")
@click.option(
    "--min-success", type=click.FloatRange(0, 1), default=0.8, show_default=True, help="Share of runs that must succeed."
)
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
def patterns_promote(root: Path | None, metrics_dirs: tuple[Path, ...], min_runs: int, min_success: float, dry_run: bool) -> None:
    """validated -> learned when recorded runs succeed often enough; learned -> validated when they stop."""
    from agentops_index.bundles.learning import promote, save_patterns
    from agentops_index.bundles.patterns import load_patterns
    from agentops_index.metrics import read_metrics

    folder = root or PATTERNS_HOME
    metrics = read_metrics(_metrics_folders(metrics_dirs))
    _warn(metrics.problems)
    found = load_patterns(folder)
    changes = promote(found, metrics, _now(), min_runs, min_success)
    if not dry_run:
        save_patterns(folder, found)
    for change in changes:
        click.echo(("would move " if dry_run else "") + change)
    if not changes:
        click.echo("no pattern would change state" if dry_run else "no pattern changed state")


@click.group()
def metrics() -> None:
    """Recorded runs of bundles: metrics/success_rates.log and metrics/durations.log."""


@metrics.command("record")
@click.option("--bundle", required=True, help="The bundle (workflow template) id.")
@click.option("--outcome", type=click.Choice(["success", "failure"]), default=None, help="How the whole run went.")
@click.option("--stage", default=None, help="With --seconds: the stage this timing is for.")
@click.option("--seconds", type=float, default=None, help="How long the run (or --stage) took.")
@click.option("--plugin", "plugins", multiple=True, help="A plugin id the run used (repeat); default: the bundle's picks.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("metrics"),
    show_default=True,
    help="The metrics folder of your project.",
)
def metrics_record(
    bundle: str, outcome: str | None, stage: str | None, seconds: float | None, plugins: tuple[str, ...], folder: Path
) -> None:
    """Append one outcome or timing to the logs in --dir (in your project)."""
    from agentops_index.errors import InputError
    from agentops_index.metrics import record_run

    if stage is None and outcome is None:
        raise InputError("metrics record: --outcome is required unless --stage and --seconds record a stage's timing")
    if stage is not None and seconds is None:
        raise InputError("metrics record: --stage needs --seconds")
    for path in record_run(folder, bundle, outcome or "success", _now(), list(plugins), seconds, stage):
        click.echo(f"recorded in {path}")


@metrics.command("summary")
@METRICS_DIRS
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def metrics_summary(metrics_dirs: tuple[Path, ...], as_json: bool) -> None:
    """Per bundle: runs, successes, success rate and median duration."""
    from agentops_index.metrics import read_metrics

    found = read_metrics(_metrics_folders(metrics_dirs))
    _warn(found.problems)
    summary = found.summary()
    if emit(summary, as_json, False, []):
        return
    for bundle, entry in summary.items():
        click.echo(f"{bundle}: {entry['successes']}/{entry['usage_count']} succeeded ({entry['success_rate']:.0%})")
    if not summary:
        click.echo("no recorded runs")


COMMANDS = (prime, orchestrate, analyze_plugins, patterns, metrics)
