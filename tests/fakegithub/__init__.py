"""A fake GitHub for tests and benchmarks: real HTTP on loopback, REST and GraphQL.

    from tests.fakegithub import FakeGitHub, World
    fake = FakeGitHub(World.from_folder(path)).start(); ...; fake.stop()

or from the repo root: ``python -m tests.fakegithub --repos DIR --port PORT``.
"""

from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.world import Repo, World

__all__ = ["FakeGitHub", "Repo", "World"]
