from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakegithub import FakeGitHub, World
from tests.npm import CACHE_ROOT, NpmUnavailable, npm_package
from tests.oracle import MARKETPLACES

# The Claude Code the live oracle tests run; AGENTOPS_CLAUDE_VERSION tries another (the weekly
# claude-code-watch workflow runs the newest). Each version installs into its own folder.
CLAUDE_VERSION = os.environ.get("AGENTOPS_CLAUDE_VERSION", "2.1.332")
CLAUDE_CACHE = Path(os.environ.get("AGENTOPS_CLAUDE_CACHE", CACHE_ROOT / f"claude-code-{CLAUDE_VERSION}"))


@pytest.fixture(autouse=True)
def _no_secrets_or_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a real token or proxy from the developer's environment."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True, scope="session")
def _search_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Query stores and indexes go to this test session's own cache, never the developer's."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture
def corpus() -> Path:
    if not MARKETPLACES.is_dir():
        pytest.skip(f"the real-world corpus is not at {MARKETPLACES} (it lives in ../shared/corpus)")
    return MARKETPLACES


class ClaudeCLI:
    """The real `claude` binary, run offline with a throwaway HOME."""

    def __init__(self, binary: Path, home: Path) -> None:
        self.binary, self.home = binary, home

    def validate(self, target: Path) -> tuple[int, dict]:  # type: ignore[type-arg]
        import json

        env = {"HOME": str(self.home), "PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"}
        done = subprocess.run(
            [str(self.binary), "plugin", "validate", "--json", str(target)],
            capture_output=True,
            env=env,
            timeout=60,
            check=False,
        )
        return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="session")
def claude_cli(tmp_path_factory: pytest.TempPathFactory) -> ClaudeCLI:
    """Install @anthropic-ai/claude-code into a cache folder once, then use its binary."""
    try:
        binary = npm_package("@anthropic-ai/claude-code", CLAUDE_VERSION, "node_modules/.bin/claude", CLAUDE_CACHE)
    except NpmUnavailable as exc:
        pytest.skip(f"{exc}: the real Claude Code CLI is needed")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    home = tmp_path_factory.mktemp("claude-home")
    version = subprocess.run(
        [str(binary), "--version"],
        capture_output=True,
        text=True,
        env={"HOME": str(home), "PATH": os.environ.get("PATH", "")},
        timeout=60,
        check=False,
    )
    if CLAUDE_VERSION not in version.stdout:
        pytest.fail(f"expected claude {CLAUDE_VERSION}, got {version.stdout!r} {version.stderr[-500:]!r}")
    return ClaudeCLI(binary, home)


def require_github_schema() -> None:
    """Skip, saying why, when GitHub's published GraphQL schema (../shared/github) is absent."""
    from tests.fakegithub.graphql_api import SCHEMA_PATH

    if not SCHEMA_PATH.is_file():
        pytest.skip(f"GitHub's GraphQL schema is not at {SCHEMA_PATH} (it lives in ../shared/github); the fake GitHub needs it")


@pytest.fixture
def fake_github() -> Iterator[Callable[..., FakeGitHub]]:
    """Start fake GitHub servers on loopback for a test: ``fake_github(world, token=None)``."""
    require_github_schema()
    started: list[FakeGitHub] = []

    def start(world: World, token: str | None = None) -> FakeGitHub:
        fake = FakeGitHub(world, token=token).start()
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()
