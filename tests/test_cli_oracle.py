"""Our verdicts against the live `claude plugin validate` on crafted inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_index.manifest.validate import validate_path
from tests.conftest import ClaudeCLI
from tests.crafted import MARKETPLACE_CASES, PLUGIN_CASES, Files, write_files
from tests.oracle import cli_findings, cli_verdict, our_findings

pytestmark = pytest.mark.cli


def _agree(claude_cli: ClaudeCLI, target: Path) -> None:
    code, cli_report = claude_cli.validate(target)
    their_errors, their_warnings = cli_findings(cli_report)
    ours = validate_path(target)
    our_errors, our_warnings = our_findings(ours)
    assert ours.verdict == cli_verdict(code, their_warnings)
    assert sorted(our_errors.elements()) == sorted(their_errors.elements())
    assert sorted(our_warnings.elements()) == sorted(their_warnings.elements())


@pytest.mark.parametrize("name,files", MARKETPLACE_CASES, ids=[c[0] for c in MARKETPLACE_CASES])
def test_marketplace_matches_live_cli(claude_cli: ClaudeCLI, tmp_path: Path, name: str, files: Files) -> None:
    write_files(tmp_path, files)
    _agree(claude_cli, tmp_path)


@pytest.mark.parametrize("name,files", PLUGIN_CASES, ids=[c[0] for c in PLUGIN_CASES])
def test_plugin_dir_matches_live_cli(claude_cli: ClaudeCLI, tmp_path: Path, name: str, files: Files) -> None:
    write_files(tmp_path, files)
    manifest = tmp_path / ".claude-plugin" / "plugin.json"
    _agree(claude_cli, manifest if manifest.is_file() else tmp_path)


REPO = Path(__file__).resolve().parents[1]
EMBEDDED = [
    *sorted(p for p in (REPO / "data" / "sample").iterdir() if p.is_dir()),
    REPO,
    REPO / "tests" / "golden" / "marketplaces" / "golden-org__tiny-market",
]
EMBEDDED_PLUGINS = sorted(p.parent.parent for root in EMBEDDED[:-2] for p in root.glob("plugins/*/.claude-plugin/plugin.json"))


@pytest.mark.parametrize("root", EMBEDDED, ids=[p.name for p in EMBEDDED])
def test_embedded_marketplaces_match_live_cli(claude_cli: ClaudeCLI, root: Path) -> None:
    """The sample data, the golden fixture and this repo's own marketplace get Claude Code's verdicts."""
    _agree(claude_cli, root)


@pytest.mark.parametrize("plugin", EMBEDDED_PLUGINS, ids=[f"{p.parents[1].name}/{p.name}" for p in EMBEDDED_PLUGINS])
def test_embedded_plugin_dirs_match_live_cli(claude_cli: ClaudeCLI, plugin: Path) -> None:
    _agree(claude_cli, plugin / ".claude-plugin" / "plugin.json")


def test_the_watch_script_finds_nothing_between_us_and_the_pinned_claude_code(claude_cli: ClaudeCLI) -> None:
    """scripts/claude-code-watch (what the weekly workflow runs on the newest release) agrees
    with the pinned version on every crafted and embedded marketplace, and says so."""
    import subprocess
    import sys

    from tests.conftest import CLAUDE_VERSION

    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "claude-code-watch"), "--version", CLAUDE_VERSION],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.startswith(f"Claude Code {CLAUDE_VERSION} against our validator:") and "everything agrees" in done.stdout
    bad = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "claude-code-watch"), "--version", "1; rm -rf /"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "must be latest or X.Y.Z" in bad.stderr
