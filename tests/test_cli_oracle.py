"""Our verdicts against the live `claude plugin validate` on crafted inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_index.manifest.validate import validate_path
from tests.conftest import ClaudeCLI
from tests.crafted import MARKETPLACE_CASES, PLUGIN_CASES, Files
from tests.oracle import cli_findings, cli_verdict, our_findings

pytestmark = pytest.mark.cli


def _write(root: Path, files: Files) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


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
    _write(tmp_path, files)
    _agree(claude_cli, tmp_path)


@pytest.mark.parametrize("name,files", PLUGIN_CASES, ids=[c[0] for c in PLUGIN_CASES])
def test_plugin_dir_matches_live_cli(claude_cli: ClaudeCLI, tmp_path: Path, name: str, files: Files) -> None:
    _write(tmp_path, files)
    manifest = tmp_path / ".claude-plugin" / "plugin.json"
    _agree(claude_cli, manifest if manifest.is_file() else tmp_path)
