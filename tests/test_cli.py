"""The command line: help on every command and option, exit codes, --json always one report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from agentops_index import __version__
from agentops_index.cli import cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "acme-devtools__claude-plugins"


def run(*args: str, env: dict[str, str] | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"agentops-index {__version__}"


def _commands(group: click.Group) -> list[click.Command]:
    return [group, *group.commands.values()]


@pytest.mark.parametrize("command", _commands(cli), ids=lambda c: c.name or "root")
def test_every_command_and_option_has_real_help(command: click.Command) -> None:
    assert command.help and len(command.help.split()) >= 6
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in {"help", "version"}:
            assert param.help and len(param.help.split()) >= 4, param.name


def test_validate_sample_passes() -> None:
    result = run("validate", str(SAMPLE))
    assert result.exit_code == 0
    assert "Validation passed" in result.output


@pytest.mark.parametrize(
    "content,verdict,code",
    [
        (b'{"name": "t", "owner": {"name": "T"}, "description": "d", "plugins": []}', "warn", 0),
        (b"#sosambo", "fail", 1),
        (b'{"name": "claude-plugins", "owner": {"name": ""}, "plugins": [{"name": "claude-x", "source": "../x"}]}', "fail", 1),
    ],
)
def test_validate_json_report_and_exit_code(tmp_path: Path, content: bytes, verdict: str, code: int) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "marketplace.json").write_bytes(content)
    result = run("validate", "--json", str(tmp_path))
    report = json.loads(result.stdout)
    assert report["verdict"] == verdict and result.exit_code == code
    assert set(report) >= {"verdict", "errors", "warnings"}
    for item in report["errors"] + report["warnings"]:
        assert set(item) >= {"path", "code", "message"}


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "marketplace.json").write_text('{"name": "t", "owner": {"name": "T"}, "plugins": []}')
    assert run("validate", str(tmp_path)).exit_code == 0
    assert run("validate", "--strict", str(tmp_path)).exit_code == 1


@pytest.mark.parametrize("target", ["does-not-exist", "README.md"])
def test_json_report_even_for_unreadable_input(target: str, tmp_path: Path) -> None:
    path = tmp_path / target
    if target == "README.md":
        path.write_text("# not a manifest")
    result = run("validate", "--json", str(path))
    report = json.loads(result.stdout)
    assert report["verdict"] == "fail" and result.exit_code == 1
    assert report["errors"][0]["code"] == "input.unreadable"


def test_non_marketplace_directory_is_judged_as_a_plugin_dir(tmp_path: Path) -> None:
    result = run("validate", "--json", str(tmp_path))
    assert json.loads(result.stdout)["errors"][0]["path"] == "directory"


def test_no_color_and_quiet(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "marketplace.json").write_text("#x")
    done = subprocess.run(
        [sys.executable, "-m", "agentops_index", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": ""},
        check=False,
    )
    assert "\x1b[" not in done.stdout + done.stderr and done.returncode == 1
    quiet = run("-q", "validate", str(SAMPLE))
    assert quiet.exit_code == 0 and quiet.stdout == ""


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(cli, ["validate"]).exit_code == 2


def test_readme_documents_every_command_and_option() -> None:
    """Docs cannot drift: every command, and every option of crawl and build, appears in README.md."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for command in cli.commands.values():
        assert f"agentops-index {command.name}" in readme, command.name
        if command.name in ("crawl", "build"):
            for param in command.params:
                if isinstance(param, click.Option) and param.name not in ("categories", "theme"):
                    assert any(opt in readme for opt in param.opts), f"{command.name} {param.opts}"


def test_analyze_plugins_compares_the_plugins_named() -> None:
    """analyze-plugins ID...: those plugins, in that order (the compare/ page's command-line twin);
    an unknown id or a single one is a one-line error."""
    import json as _json

    ids = ["branch-hygiene@acme-devtools/claude-plugins", "commit-coach@acme-devtools/claude-plugins"]
    result = CliRunner().invoke(cli, ["analyze-plugins", *ids, "--json"])
    assert result.exit_code == 0, result.output
    answer = _json.loads(result.output)
    assert [row["id"] for row in answer["plugins"]] == ids and answer["limit"] == 2
    unknown = CliRunner().invoke(cli, ["analyze-plugins", ids[0], "nope@x/y"])
    assert unknown.exit_code == 1 and "no plugin nope@x/y in the snapshot" in str(unknown.exception)
    assert "\n" not in str(unknown.exception)
    one = CliRunner().invoke(cli, ["analyze-plugins", ids[0]])
    assert one.exit_code == 2 and "name 2 to 10 different plugin ids" in one.output
    twice = CliRunner().invoke(cli, ["analyze-plugins", ids[0], ids[0]])
    assert twice.exit_code == 2 and "(got 1)" in twice.output  # the same plugin twice is one plugin
