"""The repositories a fake GitHub serves: files, git object ids, and repo metadata.

A world is a set of repositories keyed ``owner/repo``. It loads from a folder in the
``owner__repo/`` layout or is built in memory (benchmarks). Object ids are real git ids
for blobs and content hashes for trees and commits, so a changed file changes the head.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE = 8 * 1024 * 1024


def blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    owner: str
    name: str
    files: dict[str, bytes] = field(default_factory=dict)  # posix path -> bytes
    symlinks: dict[str, str] = field(default_factory=dict)
    default_branch: str = "main"
    number: int = 0
    refs: set[str] = field(default_factory=set)  # tags and branches that point at the head
    _head: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def head(self) -> str:
        if self._head is None:
            digest = hashlib.sha1(self.full_name.encode())
            for path in sorted(self.files):
                digest.update(path.encode() + b"\0" + blob_oid(self.files[path]).encode())
            for path in sorted(self.symlinks):
                digest.update(b"L" + path.encode() + b"\0" + self.symlinks[path].encode())
            self._head = digest.hexdigest()
        return self._head

    def resolves(self, revision: str) -> bool:
        return revision in ("HEAD", self.default_branch, self.head) or revision in self.refs

    def touch(self) -> None:
        self._head = None

    def directories(self) -> list[str]:
        dirs: set[str] = set()
        for path in [*self.files, *self.symlinks]:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        return sorted(dirs)

    def tree_oid(self, directory: str) -> str:
        prefix = directory + "/" if directory else ""
        digest = hashlib.sha1(b"tree " + directory.encode())
        for path in sorted(self.files):
            if path.startswith(prefix):
                digest.update(path.encode() + blob_oid(self.files[path]).encode())
        return digest.hexdigest()

    # Metadata: deterministic from the name, so every run of a world answers the same.
    def _seed(self, salt: str) -> int:
        return int(hashlib.sha256(f"{salt}:{self.full_name.lower()}".encode()).hexdigest()[:8], 16)

    @property
    def stars(self) -> int:
        return self._seed("stars") % 5000

    @property
    def forks(self) -> int:
        return self._seed("forks") % 400

    @property
    def watchers(self) -> int:
        return self._seed("watchers") % 200

    @property
    def open_issues(self) -> int:
        return self._seed("issues") % 60

    @property
    def created_at(self) -> str:
        return f"2025-{1 + self._seed('cm') % 12:02d}-{1 + self._seed('cd') % 28:02d}T10:00:00Z"

    @property
    def pushed_at(self) -> str:
        return f"2026-{1 + self._seed('pm') % 11:02d}-{1 + self._seed('pd') % 28:02d}T12:00:00Z"

    @property
    def archived(self) -> bool:
        return self._seed("archived") % 50 == 0

    @property
    def license(self) -> str | None:
        return ["MIT", "Apache-2.0", None, "BSD-3-Clause", "MIT", "GPL-3.0"][self._seed("license") % 6]

    @property
    def topics(self) -> list[str]:
        pool = ["claude-code", "claude-code-plugins", "ai", "mcp", "agents", "devtools", "marketplace"]
        return sorted({pool[(self._seed("t") >> i) % len(pool)] for i in range(self._seed("tn") % 4)})


class World:
    """Repositories by lowercased full name; thread-safe enough for a test server."""

    def __init__(self) -> None:
        self.repos: dict[str, Repo] = {}
        self.renames: dict[str, str] = {}  # old full name (lower) -> current full name
        self.lock = threading.Lock()

    def add(self, repo: Repo) -> Repo:
        repo.number = repo.number or len(self.repos) + 1000
        self.repos[repo.full_name.lower()] = repo
        return repo

    def get(self, full_name: str) -> Repo | None:
        return self.repos.get(full_name.lower())

    def by_number(self, number: int) -> Repo | None:
        return next((r for r in self.repos.values() if r.number == number), None)

    def rename(self, old: str, new_name: str) -> None:
        """Rename a repository the way GitHub does: the old name answers 301."""
        repo = self.repos.pop(old.lower())
        repo.name = new_name
        repo.touch()
        self.renames[old.lower()] = repo.full_name
        self.add(repo)

    def write(self, full_name: str, path: str, data: bytes) -> None:
        repo = self.repos[full_name.lower()]
        repo.files[path] = data
        repo.touch()

    @classmethod
    def from_folder(cls, folder: Path) -> World:
        world = cls()
        for child in sorted(Path(folder).iterdir()):
            if not child.is_dir() or "__" not in child.name:
                continue
            owner, _, name = child.name.partition("__")
            repo = Repo(owner, name)
            for path in sorted(child.rglob("*")):
                relative = path.relative_to(child).as_posix()
                if path.is_symlink():
                    repo.symlinks[relative] = str(path.readlink())
                elif path.is_file() and path.stat().st_size <= MAX_FILE:
                    repo.files[relative] = path.read_bytes()
            world.add(repo)
        return world
