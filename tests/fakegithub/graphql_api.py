"""GitHub's GraphQL API, executed by graphql-core against the published schema.

Every document is validated against ``../shared/github/schema.graphql`` first, so a query
GitHub would reject is rejected here with GitHub's error shape. Resolvers cover what an
index needs: repositories (metrics, topics, licence, default branch), ``object(expression:)``
for blobs, trees and commits, and ``rateLimit``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema, execute, parse, validate
from graphql.language import FieldNode, OperationDefinitionNode

from tests.fakegithub.world import Repo, World, blob_oid

SCHEMA_PATH = Path(__file__).resolve().parents[3] / "shared" / "github" / "schema.graphql"
MAX_REPOSITORY_FIELDS = 150  # GitHub failed at 227 aliases and answered 120 (PERFORMANCE.md)


@lru_cache(maxsize=1)
def schema() -> GraphQLSchema:
    built = build_schema(SCHEMA_PATH.read_text("utf-8"), assume_valid_sdl=True)
    built._validation_errors = []  # the published SDL trips graphql-core's self-check (README)
    return built


class NotFound(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"type": "NOT_FOUND"})


def _blob(data: bytes) -> dict[str, Any]:
    try:
        text: str | None = data.decode("utf-8")
        binary = "\0" in (text or "")
    except UnicodeDecodeError:
        text, binary = None, True
    oid = blob_oid(data)
    return {
        "__typename": "Blob",
        "oid": oid,
        "abbreviatedOid": oid[:7],
        "byteSize": len(data),
        "isBinary": binary,
        "isTruncated": False,
        "text": None if binary else text,
    }


def _tree(repo: Repo, directory: str) -> dict[str, Any]:
    prefix = directory + "/" if directory else ""
    names: dict[str, str] = {}
    for path in [*repo.files, *repo.symlinks]:
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            head, _, tail = rest.partition("/")
            names[head] = "tree" if tail else "blob"
    entries = []
    for name in sorted(names):
        path = prefix + name
        kind = names[name]
        entries.append(
            {
                "name": name,
                "path": path,
                "type": kind,
                "mode": 16384 if kind == "tree" else 33188,
                "oid": repo.tree_oid(path) if kind == "tree" else blob_oid(repo.files.get(path, b"")),
                "object": (lambda info, p=path, k=kind: _tree(repo, p) if k == "tree" else _blob(repo.files.get(p, b""))),
            }
        )
    return {"__typename": "Tree", "oid": repo.tree_oid(directory), "entries": entries}


def _object(repo: Repo, expression: str) -> dict[str, Any] | None:
    revision, sep, path = expression.partition(":")
    if revision and not repo.resolves(revision):
        return None
    if not sep:
        return {"__typename": "Commit", "oid": repo.head, "abbreviatedOid": repo.head[:7]}
    path = path.strip("/")
    if path in repo.files:
        return _blob(repo.files[path])
    if path == "" or path in repo.directories():
        return _tree(repo, path)
    return None


def _repository(repo: Repo) -> dict[str, Any]:
    return {
        "__typename": "Repository",
        "id": f"R_{repo.number}",
        "databaseId": repo.number,
        "name": repo.name,
        "nameWithOwner": repo.full_name,
        "owner": {"__typename": "Organization", "login": repo.owner},
        "url": f"https://github.com/{repo.full_name}",
        "description": None,
        "stargazerCount": repo.stars,
        "forkCount": repo.forks,
        "watchers": lambda info, **_: {"totalCount": repo.watchers},
        "issues": lambda info, **_: {"totalCount": repo.open_issues},
        "createdAt": repo.created_at,
        "pushedAt": repo.pushed_at,
        "updatedAt": repo.pushed_at,
        "isArchived": repo.archived,
        "isFork": False,
        "isPrivate": False,
        "isDisabled": False,
        "isEmpty": not repo.files,
        "parent": None,
        "licenseInfo": {"spdxId": repo.license, "key": (repo.license or "").lower(), "name": repo.license}
        if repo.license
        else None,
        "repositoryTopics": lambda info, **_: {
            "totalCount": len(repo.topics),
            "nodes": [{"topic": {"name": t}} for t in repo.topics],
        },
        "defaultBranchRef": {"name": repo.default_branch, "target": {"__typename": "Commit", "oid": repo.head}},
        "object": lambda info, expression=None, oid=None: _object(repo, expression or oid or ""),
    }


def _root(world: World, counter: dict[str, int]) -> dict[str, Any]:
    def repository(info: Any, owner: str, name: str, followRenames: bool = True) -> dict[str, Any]:
        full = f"{owner}/{name}"
        repo = world.get(full)
        if repo is None and followRenames and full.lower() in world.renames:
            repo = world.get(world.renames[full.lower()])
        if repo is None:
            raise NotFound(f"Could not resolve to a Repository with the name '{full}'.")
        return _repository(repo)

    def rate_limit(info: Any, dryRun: bool = False) -> dict[str, Any]:
        return {
            "cost": 1,
            "limit": 5000,
            "remaining": counter["remaining"],
            "used": 5000 - counter["remaining"],
            "resetAt": "2030-01-01T00:00:00Z",
            "nodeCount": 0,
        }

    return {"repository": repository, "rateLimit": rate_limit}


def _error(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    if error.path:
        out["path"] = error.path
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.extensions and "type" in error.extensions:
        out["type"] = error.extensions["type"]
    return out


def answer(world: World, body: Any, counter: dict[str, int]) -> tuple[int, dict[str, Any]]:
    """(status, JSON body) for a GraphQL POST body."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return 400, {"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/graphql"}
    try:
        document = parse(body["query"])
    except GraphQLError as exc:
        return 200, {"errors": [_error(exc)]}
    errors = validate(schema(), document)
    if errors:
        return 200, {"errors": [_error(e) for e in errors]}
    repositories = sum(
        1
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode) and selection.name.value == "repository"
    )
    if repositories > MAX_REPOSITORY_FIELDS:
        return 502, {
            "message": "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug."
        }
    result = execute(schema(), document, root_value=_root(world, counter), variable_values=body.get("variables") or {})
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [_error(e) for e in result.errors]
    return 200, out
