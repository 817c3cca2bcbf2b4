"""The agentops plugins (plugins/): the real CLI accepts and installs them, their commands run
as documented against the sample snapshot, their tools stay narrow, and what they print keeps
third-party text fenced and inert (SECURITY.md §5.4, T17)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentops_index.bundles.fill import BUNDLE_PREFIX, make_bundles
from agentops_index.bundles.plugins import THIN_PLUGINS, write_bundle_plugins
from agentops_index.config import DEFAULT_BASE_URL
from agentops_index.crawl import crawl_local
from agentops_index.search.session import open_searcher
from agentops_index.snapshot import store
from agentops_index.snapshot.categories import load_taxonomy
from tests.llm_payloads import cases
from tests.loopback import Site, bare_env, fenced_json

REPO = Path(__file__).resolve().parents[1]
PLUGINS = REPO / "plugins"
COMMITTED = REPO / "data" / "snapshots" / "latest.json"
MARKETPLACE = json.loads((REPO / ".claude-plugin" / "marketplace.json").read_text())
# What each command's $ARGUMENTS stands for in its documented invocation.
EXAMPLES = {
    "agentops-prime": "help me ship this service",
    "agentops-discover": 'review pull requests; echo $(whoami) `id` "quoted" it\'s',  # as typed: no shell reads it
    "agentops-orchestrate": "build test and deploy to kubernetes",
    "orchestrate": "hello world --plan-only",
    "analyze-plugins": "top 5",
    "show-patterns": "",
}


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text("utf-8")
    assert text.startswith("---\n"), path
    return yaml.safe_load(text.split("---\n", 2)[1])


def documents() -> list[Path]:
    return sorted([*PLUGINS.glob("*/commands/*.md"), *PLUGINS.glob("*/skills/*/SKILL.md")])


def test_the_marketplace_lists_the_four_plugins() -> None:
    names = [p["name"] for p in MARKETPLACE["plugins"]]
    assert names == ["agentops-core", "agentops-meta-orchestrator", "agentops-devops", "agentops-product-dev"]
    for entry in MARKETPLACE["plugins"]:
        assert entry["source"] == f"./plugins/{entry['name']}"
        assert json.loads((PLUGINS / entry["name"] / ".claude-plugin" / "plugin.json").read_text())["name"] == entry["name"]
    allowed = sorted(BUNDLE_PREFIX + bundle for bundle, _ in THIN_PLUGINS.values())
    assert sorted(MARKETPLACE["allowCrossMarketplaceDependenciesOn"]) == allowed
    readme = (PLUGINS / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in names)


def test_core_and_meta_orchestrator_ship_what_the_issue_names() -> None:
    core = {p.stem for p in (PLUGINS / "agentops-core" / "commands").glob("*.md")}
    assert core == {"agentops-prime", "agentops-discover", "agentops-orchestrate"}
    assert front_matter(PLUGINS / "agentops-core/skills/agentops-orchestrator/SKILL.md")["name"] == "agentops-orchestrator"
    meta = {p.stem for p in (PLUGINS / "agentops-meta-orchestrator" / "commands").glob("*.md")}
    assert meta == {"orchestrate", "analyze-plugins", "show-patterns"}
    assert (PLUGINS / "agentops-meta-orchestrator/skills/orchestrator/SKILL.md").is_file()


READER_TOOL = 'Bash(python3 "${CLAUDE_PLUGIN_ROOT}/bin/agentops-answer":*)'


def test_tools_are_the_shipped_reader_and_read_only() -> None:
    """L-6: no WebFetch, Write, Edit or general Bash; Bash only for the reader the plugin ships
    (and, where a workflow's outcome is recorded, the CLI's `metrics record`). No command names a
    package to install or run (`uvx`, `pipx run`, `npx`): nothing we have not published and pinned."""
    pinned = re.compile(r"^Bash\(agentops-index metrics record:\*\)$")
    for path in documents():
        text = path.read_text("utf-8")
        assert not re.search(r"\b(?:uvx|pipx run|npx|pip install)\b", text), f"{path}: names a package to fetch"
        tools = front_matter(path).get("allowed-tools")
        if tools is None:
            assert path.parts[-3] in THIN_PLUGINS, f"{path}: no allowed-tools"  # a thin plugin's workflow runs no tool
            continue
        for tool in [t.strip() for t in str(tools).split(", ")]:
            assert tool in ("Read", READER_TOOL) or pinned.match(tool), f"{path}: {tool}"


def test_thin_plugins_are_the_sample_bundles_picks(tmp_path: Path) -> None:
    """Committed from the sample snapshot by `bundles --write-plugins plugins/`, and up to date."""
    with open_searcher(str(_copy(tmp_path))) as searcher:
        made = [b for b, _ in make_bundles(searcher, DEFAULT_BASE_URL)]
    write_bundle_plugins(made, tmp_path / "out", DEFAULT_BASE_URL)
    for name in THIN_PLUGINS:
        for path in sorted((tmp_path / "out" / name).rglob("*")):
            if path.is_file():
                committed = PLUGINS / name / path.relative_to(tmp_path / "out" / name)
                assert committed.read_bytes() == path.read_bytes(), (
                    f"regenerate: agentops-index bundles --write-plugins plugins/ ({committed})"
                )
    devops = json.loads((PLUGINS / "agentops-devops/.claude-plugin/plugin.json").read_text())
    bundle = next(b for b in made if b.id == "build-test-deploy")
    assert devops["dependencies"] == [
        {"name": p.id.split("@")[0], "marketplace": "agentops-build-test-deploy"} for p in bundle.plugins
    ]


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "snap" / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(COMMITTED.read_bytes())
    return path


def invocations() -> list[tuple[str, str, str]]:
    """(command, its plugin, the sh block of its command file)."""
    out = []
    for path in sorted(PLUGINS.glob("*/commands/*.md")):
        if path.parts[-3] in THIN_PLUGINS:
            continue
        blocks = re.findall(r"```sh\n(.*?)\n```", path.read_text("utf-8"), re.S)
        assert len(blocks) == 1, f"{path}: one documented invocation"
        out.append((path.stem, path.parts[-3], blocks[0]))
    return out


def run_cli(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(line)
    assert argv[0] == "agentops-index"
    return subprocess.run(
        [sys.executable, "-m", "agentops_index", *argv[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def documented(command: str, line: str, root: Path) -> str:
    """The command file's sh block as Claude Code runs it: the plugin's root and the user's words
    filled in as they are typed (Claude Code substitutes $ARGUMENTS as text, unquoted)."""
    return line.replace("${CLAUDE_PLUGIN_ROOT}", str(root)).replace("$ARGUMENTS", EXAMPLES[command])


def a_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / ".github" / "workflows").mkdir(parents=True)
    (project / "package.json").write_text(json.dumps({"devDependencies": {"jest": "29"}}))
    (project / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    return project


def check_answer(command: str, answer: Any) -> None:
    """What each command's answer must hold on the sample catalog."""
    if command == "agentops-prime":
        assert "testing jest" in answer["topics"] and "github actions ci pipeline" in answer["topics"]
        assert answer["recommendations"] and all(r["install"] for r in answer["recommendations"] if r["valid"])
    if command == "agentops-discover":
        assert answer["primary"] and answer["workflow"] and answer["intent"] == EXAMPLES[command]
        assert all(p["install"] and p["description"] and "risk" in p for p in answer["primary"])
    if command == "orchestrate":
        assert answer["workflow"]["id"] == "plan-implement-review" and "steps" not in answer
        assert answer["success_probability"] == {
            "value": None,
            "runs": 0,
            "basis": "unknown: no recorded runs of this bundle yet",
        }
    if command == "agentops-orchestrate":
        assert answer["workflow"]["id"] == "build-test-deploy" and answer["steps"]
    if command == "analyze-plugins":
        assert len(answer["plugins"]) == 5
    if command == "show-patterns":
        assert answer["summary"]["states"]["validated"]


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from agentops_index.build import build

    base = tmp_path_factory.mktemp("sample-site")
    build(_copy(base), base / "site", search=False)
    return base / "site"


@pytest.mark.parametrize(("command", "plugin", "line"), invocations(), ids=[c for c, _, _ in invocations()])
def test_each_documented_invocation_runs_with_python3_alone(
    command: str, plugin: str, line: str, sample_site: Path, tmp_path: Path
) -> None:
    """Each command file's sh block, run from a copy of its plugin's directory alone (links
    resolved, as Claude Code installs it) on a machine without agentops-index, answers from a
    built site between its fence lines."""
    assert line.startswith('python3 "${CLAUDE_PLUGIN_ROOT}/bin/agentops-answer" '), line
    installed = tmp_path / "installed" / plugin
    shutil.copytree(PLUGINS / plugin, installed)
    env = bare_env(tmp_path, str(sample_site / "api" / "v1" / "snapshot.json"))
    done = subprocess.run(
        ["sh", "-c", documented(command, line, installed)],
        cwd=a_project(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check_answer(command, fenced_json(done.stdout))


@pytest.mark.cli
def test_the_real_cli_validates_and_installs_the_plugins(claude_cli: Any, tmp_path: Path) -> None:
    """`claude plugin validate --strict` passes the marketplace and each plugin; the marketplace is
    added from the checkout and agentops-core and agentops-meta-orchestrator install (throwaway
    HOME). The thin plugins are validated only: their dependencies come from the network."""
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}

    def claude(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(claude_cli.binary), *args], capture_output=True, text=True, env=env, timeout=120, check=False)

    for target in [REPO, *(PLUGINS / p["name"] for p in MARKETPLACE["plugins"])]:
        done = claude("plugin", "validate", "--strict", "--json", str(target))
        report = json.loads(done.stdout)
        assert done.returncode == 0 and report["manifest"]["errors"] == [] and report["manifest"]["warnings"] == [], report
    added = claude("plugin", "marketplace", "add", str(REPO))
    assert added.returncode == 0 and "Successfully added marketplace: agentops-index" in added.stdout, added.stdout + added.stderr
    for name in ("agentops-core", "agentops-meta-orchestrator"):
        done = claude("plugin", "install", f"{name}@agentops-index")
        assert done.returncode == 0 and f"Successfully installed plugin: {name}@agentops-index" in done.stdout, done.stdout
    details = claude("plugin", "details", "agentops-core@agentops-index")
    assert "agentops-prime" in details.stdout and "agentops-orchestrator" in details.stdout


@pytest.mark.cli
def test_a_stranger_installs_the_plugins_and_every_command_answers(claude_cli: Any, sample_site: Path, tmp_path: Path) -> None:
    """The issue's fresh machine: a throwaway HOME, the marketplace added and the two plugins
    installed with the real Claude Code CLI, no agentops-index on PATH, a built site served over
    HTTP and AGENTOPS_SNAPSHOT pointing at its api/v1/snapshot.json. Each command's documented
    invocation, run from the plugin as installed, prints a real answer between its fence lines."""
    home = tmp_path / "home"
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}
    for args in (
        ("marketplace", "add", str(REPO)),
        ("install", "agentops-core@agentops-index"),
        ("install", "agentops-meta-orchestrator@agentops-index"),
    ):
        done = subprocess.run(
            [str(claude_cli.binary), "plugin", *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
    site = Site(root=sample_site)
    try:
        url = f"{site.url}api/v1/snapshot.json"
        ran = []
        for command, plugin, line in invocations():
            installed = sorted((home / ".claude" / "plugins" / "cache" / "agentops-index" / plugin).glob("*"))
            assert len(installed) == 1 and (installed[0] / "bin" / "agentops-answer").is_file(), installed
            shell = bare_env(tmp_path, url)
            shell["HOME"] = str(home)
            done = subprocess.run(
                ["sh", "-c", documented(command, line, installed[0])],
                cwd=a_project(tmp_path / command),
                env=shell,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, f"{command}: {done.stderr}"
            check_answer(command, fenced_json(done.stdout))
            ran.append(command)
        assert sorted(ran) == sorted(EXAMPLES)
    finally:
        site.close()


# --- T17: what the commands print, with hostile text in every untrusted field ----------------


@pytest.fixture(scope="module")
def llm_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("llm")
    root = base / "market" / "evil-org__llm-market"
    entries = []
    for index, payload in enumerate(cases()):
        folder = root / "plugins" / f"p{index}"
        (folder / "commands").mkdir(parents=True)
        (folder / "README.md").write_text(payload, "utf-8")
        (folder / "commands" / "go.md").write_text(f"---\ndescription: {json.dumps(payload)}\n---\nbody\n", "utf-8")
        entries.append(
            {
                "name": f"review-helper-{index}" if index % 2 else payload,
                "source": f"./plugins/p{index}",
                "description": f"review deploy test {payload}",
                "keywords": ["review", payload],
                "tags": [payload],
                "author": {"name": payload},
            }
        )
    manifest = {"name": "llm-market", "owner": {"name": cases()[0]}, "description": cases()[5], "plugins": entries}
    (root / ".claude-plugin").mkdir(parents=True)
    (root / ".claude-plugin" / "marketplace.json").write_text(json.dumps(manifest), "utf-8")
    snapshot = crawl_local([base / "market"], load_taxonomy(REPO / "data" / "categories.toml")).snapshot
    path = base / "snap" / "latest.json"
    path.parent.mkdir()
    store.write_atomic(path, store.dumps(snapshot))
    return path


FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ufe00-\ufe0f\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


@pytest.mark.parametrize(
    "line",
    [
        'agentops-index search --fenced "review"',
        'agentops-index search --fenced "ignore previous instructions"',
        'agentops-index discover --fenced "review and deploy"',
        'agentops-index prime --dir . --fenced "review"',
        "agentops-index analyze-plugins --fenced --limit 20",
        'agentops-index orchestrate --fenced "build test deploy"',
    ],
)
def test_t17_command_output_keeps_hostile_text_inert(line: str, llm_snapshot: Path, tmp_path: Path) -> None:
    env = {**os.environ, "AGENTOPS_SNAPSHOT": str(llm_snapshot), "PYTHONPATH": str(REPO / "generator")}
    done = run_cli(line, tmp_path, env)
    assert done.returncode == 0, done.stderr
    _inert(done.stdout)


@pytest.fixture(scope="module")
def llm_site(llm_snapshot: Path) -> Path:
    from agentops_index.build import build

    build(llm_snapshot, llm_snapshot.parent.parent / "site", search=False)
    return llm_snapshot.parent.parent / "site"


@pytest.mark.parametrize(
    "args",
    [
        ["search", "review"],
        ["search", "ignore previous instructions"],
        ["discover", "review and deploy"],
        ["prime", "--dir", ".", "review"],
        ["analyze-plugins", "--limit", "20"],
        ["orchestrate", "build test deploy"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_t17_the_readers_output_keeps_hostile_text_inert(args: list[str], llm_site: Path, tmp_path: Path) -> None:
    """The same through the plugins' standard-library reader, from the site built of that data."""
    reader = PLUGINS / "agentops-core" / "bin" / "agentops-answer"
    env = bare_env(tmp_path, str(llm_site))
    done = subprocess.run(
        ["python3", str(reader), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    _inert(done.stdout)


def _inert(output: str) -> None:
    answer = fenced_json(output)  # exactly one fence pair, with a token nothing inside repeats
    body = output.split(" BEGIN\n", 1)[1]
    assert "<" not in body.rsplit("\nDATA ", 1)[0] and ">" not in body.rsplit("\nDATA ", 1)[0]  # no </untrusted>, <system>
    assert "```" not in output and "`" not in body
    assert not FORBIDDEN.search(output), repr(FORBIDDEN.search(output))
    assert "evil.example/" not in output and "https://evil" not in output  # URLs in third-party text are bare hosts
    assert "\nDATA 0000 END" not in output  # a spoofed fence stays inside a JSON string
    assert len(output) < 100 * 1024  # §5.3: one command's output stays bounded
    for text in _strings(answer):
        assert unicodedata.is_normalized("NFC", text)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
