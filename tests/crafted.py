"""Crafted marketplaces and plugins that pin down Claude Code's rules; tests run them through both
the real CLI and our validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Files = dict[str, str | bytes]


def write_files(root: Path, files: Files) -> None:
    """Lay out a crafted case under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def mk(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "test-mkt",
        "owner": {"name": "T"},
        "description": "d",
        "plugins": [{"name": "p1", "source": "./plugins/p1"}],
    }
    base.update(fields)
    return base


def market(value: Any, extra: Files | None = None) -> Files:
    files: Files = {".claude-plugin/marketplace.json": value if isinstance(value, str | bytes) else json.dumps(value)}
    files.update(extra or {})
    return files


def pj(**fields: Any) -> str:
    base: dict[str, Any] = {"name": "p1", "version": "1", "description": "d", "author": {"name": "a"}}
    base.update(fields)
    return json.dumps(base)


def entry(**fields: Any) -> dict[str, Any]:
    return mk(plugins=[{"name": "p1", "source": "./p", **fields}])


def hooks(value: Any) -> Files:
    return market(mk(), {"plugins/p1/hooks/hooks.json": value if isinstance(value, str) else json.dumps(value)})


def with_pj(text: str, extra: Files | None = None) -> Files:
    return market(mk(), {"plugins/p1/.claude-plugin/plugin.json": text, **(extra or {})})


MARKETPLACE_CASES: list[tuple[str, Files]] = [
    ("ok", market(mk())),
    (
        "no-description-with-schema-error",
        market({"name": "t", "owner": {"name": "T"}, "plugins": [{"name": "p1", "source": "./p", "strict": "x"}]}),
    ),
    # Found through the sample data: plugin.json is read only for entries that passed the schema,
    # and an archive sha256 must be 64 hex digits (either case).
    (
        "plugin-json-skipped-for-failing-entry",
        market(
            mk(
                plugins=[
                    {"name": "Foo Bar", "source": "./p"},
                    {"name": "ok", "source": "./q", "tags": "x"},
                    {"name": "fine", "source": "./r"},
                ]
            ),
            {
                "p/.claude-plugin/plugin.json": '{"name": "Foo Baz", "version": 3}',
                "q/.claude-plugin/plugin.json": '{"name": "Q Q"}',
                "r/.claude-plugin/plugin.json": '{"name": "R R"}',
                "q/hooks/hooks.json": '{"hooks": {"Nope": []}}',
            },
        ),
    ),
    (
        "archive-sha256",
        market(
            mk(
                plugins=[
                    {
                        "name": "a",
                        "source": {
                            "source": "archive",
                            "url": "https://a.example/x.zip",
                            "sha256": "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
                        },
                    },
                    {"name": "b", "source": {"source": "archive", "url": "https://a.example/x.zip", "sha256": "abc"}},
                    {"name": "c", "source": {"source": "archive", "url": "https://a.example/x.zip", "sha256": "g" * 64}},
                ]
            )
        ),
    ),
    ("no-plugins-no-description", market({"name": "t", "owner": {"name": "T"}, "plugins": []})),
    ("dotdot-inside", market(mk(plugins=[{"name": "p1", "source": "./a/../b"}, {"name": "p2", "source": "../x"}]))),
    ("dot-source", market(mk(plugins=[{"name": "p1", "source": "."}]))),
    ("absolute-source", market(mk(plugins=[{"name": "p1", "source": "/etc"}]))),
    ("bare-without-root", market(mk(plugins=[{"name": "p1", "source": "p1"}]))),
    ("bare-bad-root", market(mk(metadata={"pluginRoot": "/etc"}, plugins=[{"name": "p1", "source": "p1"}]))),
    (
        "bare-good-root",
        market(
            mk(metadata={"pluginRoot": "./plugins"}, plugins=[{"name": "p1", "source": "p1"}]),
            {"plugins/p1/.claude-plugin/plugin.json": json.dumps({"name": "p1"})},
        ),
    ),
    ("nan", market('{"name":"t","owner":{"name":"T"},"description":"d","plugins":[],"x":NaN}')),
    ("duplicate-key", market('{"name":"t","name":"u","owner":{"name":"T"},"description":"d","plugins":[]}')),
    ("invalid-utf8", market(b'{"name":"t\xff","owner":{"name":"T"},"description":"d","plugins":[{"name":"p1","source":"./p"}]}')),
    ("bom", market(b"\xef\xbb\xbf" + json.dumps(mk()).encode())),
    ("utf16", market(json.dumps(mk()).encode("utf-16"))),
    ("null", market("null")),
    ("string", market('"x"')),
    ("whitespace", market("   \n")),
    ("concatenated", market('{"name":"t","owner":{"name":"T"},"plugins":[]}{"a":1}')),
    ("truncated", market('{"name":"t","owner":{"name":"T"},"plu')),
    ("single-quotes", market("{'name':'t'}")),
    ("comment", market('{\n // c\n "name": "t"}')),
    ("trailing-comma-array", market('{"name":"t","owner":{"name":"T"},"plugins":[{"name":"p","source":"./p"},]}')),
    ("name-number", market(mk(plugins=[{"name": 5, "source": "./p"}]))),
    ("plugins-object", market(mk(plugins={"a": 1}))),
    ("null-entry", market(mk(plugins=[None]))),
    ("marketplace-name-dotdot", market(mk(name="a..b"))),
    ("marketplace-name-dash", market(mk(name="-ab"))),
    ("marketplace-name-unicode", market(mk(name="мой"))),
    (
        "marketplace-name-space",
        market(mk(name="My M", plugins=[{"name": "my p", "source": "./p"}, {"name": "a" * 130, "source": "./p"}])),
    ),
    ("marketplace-name-long", market(mk(name="a" * 130))),
    ("marketplace-official", market(mk(name="anthropic-official"))),
    ("marketplace-inline", market(mk(name="inline"))),
    (
        "marketplace-reserved-official",
        market(mk(name="claude-code-marketplace", plugins=[{"name": "claude-x", "source": "./p"}])),
    ),
    ("marketplace-claude-marketplace", market(mk(name="claude-marketplace"))),
    ("entry-description-number", market(entry(description=5))),
    ("entry-hooks-path", market(entry(hooks="./h.json"))),
    ("entry-commands-no-dot", market(entry(commands="commands/x.md"))),
    ("entry-icon", market(entry(icon="x"))),
    ("entry-headers", market(entry(headers={"a": "b"}))),
    ("entry-skills-no-dot", market(entry(skills=["skills/x"]))),
    ("entry-dependencies", market(entry(dependencies=["x", {"name": "y"}, 5]))),
    ("entry-relevance", market(entry(relevance={"topic": "x", "signals": {}, "zz": 1}))),
    ("entry-author-no-name", market(entry(author={"email": "x"}))),
    ("entry-homepage-bad", market(entry(homepage="not a url"))),
    ("url-missing", market(mk(plugins=[{"name": "p1", "source": {"source": "url"}}]))),
    ("url-ssrf-accepted", market(mk(plugins=[{"name": "p1", "source": {"source": "url", "url": "http://169.254.169.254/"}}]))),
    ("github-upper-sha", market(mk(plugins=[{"name": "p1", "source": {"source": "github", "repo": "o/r", "sha": "A" * 40}}]))),
    ("github-short-sha", market(mk(plugins=[{"name": "p1", "source": {"source": "github", "repo": "o/r", "sha": "abc"}}]))),
    ("npm-no-package", market(mk(plugins=[{"name": "p1", "source": {"source": "npm"}}]))),
    (
        "archive-http",
        market(mk(plugins=[{"name": "p1", "source": {"source": "archive", "url": "http://x/p.zip", "sha256": "0" * 64}}])),
    ),
    (
        "command-timeout",
        market(mk(plugins=[{"name": "p1", "source": {"source": "command", "command": "echo", "timeout": 9999}}])),
    ),
    ("git-subdir-no-path", market(mk(plugins=[{"name": "p1", "source": {"source": "git-subdir", "url": "o/r"}}]))),
    ("type-key", market(mk(plugins=[{"name": "p1", "source": {"type": "github", "repo": "o/r"}}]))),
    (
        "names",
        market(
            mk(
                plugins=[
                    {"name": n, "source": "./p"}
                    for n in [
                        "claude",
                        "claudes",
                        "anthropic.tools",
                        "my_claude_x",
                        "officialclaude",
                        "x-claude",
                        "__proto__",
                        "CLAUDE-MODS",
                        "cc-plugin",
                        "ccplugin-x",
                        "claudette",
                    ]
                ]
            )
        ),
    ),
    (
        "duplicates-and-schema-error",
        market(mk(version=1, plugins=[{"name": "p1", "source": "./a"}, {"name": "p1", "source": "./b"}])),
    ),
    (
        "duplicates",
        market(mk(plugins=[{"name": "a", "source": "./x"}, {"name": "a", "source": "./y"}, {"name": "a", "source": "./z"}])),
    ),
    ("renames", market(mk(renames={"old": "p1", "gone": None, "bad": "nope"}))),
    ("unknown-keys", market(mk(files=[1], categories=[1], engines={}, main="x", contributes={}, metadata={"homepage": "x"}))),
    ("plugin-json-unknown", with_pj(pj(foo=1, files=[], tags=[], themes="./t", monitors="./m"))),
    ("plugin-json-minimal", with_pj(json.dumps({"name": "p1"}))),
    ("plugin-json-bad-json", with_pj("{,}")),
    ("plugin-json-upper", with_pj(pj(name="MyP"))),
    ("plugin-json-bad-id", with_pj(pj(name="_x"))),
    (
        "plugin-json-paths",
        with_pj(
            pj(
                commands=["./nope.md"],
                agents="./agents/",
                mcpServers="./m.json",
                skills=["./skills/s/SKILL.md", "./nope"],
                outputStyles="./os",
            ),
            {"plugins/p1/skills/s/SKILL.md": "---\nname: s\n---\n"},
        ),
    ),
    ("plugin-json-dotdot", with_pj(pj(commands=["../x.md"], agents=["./../a.md"]))),
    ("plugin-json-root-placeholder", with_pj(pj(commands="${CLAUDE_PLUGIN_ROOT}/commands", agents="agents/x.md"))),
    (
        "plugin-json-reserved-same",
        market(
            mk(plugins=[{"name": "claude-x", "source": "./plugins/p1"}]),
            {"plugins/p1/.claude-plugin/plugin.json": pj(name="claude-x")},
        ),
    ),
    (
        "plugin-json-reserved-other",
        market(
            mk(plugins=[{"name": "claude-x", "source": "./plugins/p1"}]),
            {"plugins/p1/.claude-plugin/plugin.json": pj(name="claude-y")},
        ),
    ),
    (
        "version-mismatch",
        market(mk(plugins=[{"name": "p1", "source": "./p", "version": "1"}]), {"p/.claude-plugin/plugin.json": pj(version="2")}),
    ),
    (
        "shared-directory",
        market(
            mk(plugins=[{"name": "p1", "source": "./plugins/p1"}, {"name": "p2", "source": "./plugins/p1"}]),
            {"plugins/p1/.claude-plugin/plugin.json": json.dumps({"name": "p1", "foo": 1})},
        ),
    ),
    (
        "root-plugin",
        market(mk(plugins=[{"name": "p1", "source": "./"}]), {".claude-plugin/plugin.json": json.dumps({"name": "p1"})}),
    ),
    ("hooks-bad-json", hooks("{,}")),
    ("hooks-no-wrapper", hooks({"Stop": [{"hooks": [{"type": "command", "command": "echo"}]}]})),
    ("hooks-gating-top", hooks({"PreToolUse": [{"hooks": [{"type": "command", "command": "x"}]}], "hooks": {}})),
    ("hooks-array", hooks({"hooks": [{"event": "PostToolUse", "command": "x"}]})),
    ("hooks-top-array", hooks("[]")),
    (
        "hooks-unquoted",
        hooks(
            {
                "hooks": {
                    "Stop": [
                        {
                            "hooks": [
                                {"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/x.sh"},
                                {"type": "command", "command": '"${CLAUDE_PLUGIN_ROOT}/y.sh"'},
                                {"type": "command", "command": "bash ${CLAUDE_PLUGIN_ROOT}/x.sh"},
                            ]
                        }
                    ]
                }
            }
        ),
    ),
    (
        "hooks-unknown-event-and-type",
        hooks({"hooks": {"Bogus": [], "Stop": [{"hooks": [{"type": "weird", "command": "echo"}]}]}}),
    ),
    (
        # A guard's matcher that cannot be read refuses the plugin; another event's is dropped (2.1.328).
        "hooks-matchers-without-hooks",
        hooks(
            {
                "hooks": {
                    "PreToolUse": [{"matcher": "Bash"}, 5, {"matcher": "x", "hooks": "no"}, None, {"hooks": None}, True],
                    "PostToolUse": [{"matcher": "Bash"}, [1], {"hooks": {}}],
                    "Stop": [{"hooks": []}],
                }
            }
        ),
    ),
    ("entry-author-name-empty", market(entry(author={"name": ""}))),
    ("entry-author-name-blank-is-fine", market(entry(author={"name": "  "}))),
    (
        "unknown-fields-near-and-common",
        market(mk(descripton="d", plugin=1, support="s", plugins=[{"name": "p1", "source": "./p", "tag": [], "catgory": "x"}])),
    ),
    ("entry-engines-not-an-object", market(entry(engines=True))),
    ("entry-engines-object", market(entry(engines={"claude-code": ">=2.1.0"}))),
]

PLUGIN_CASES: list[tuple[str, Files]] = [
    (
        "ok",
        {
            ".claude-plugin/plugin.json": pj(),
            "agents/rev.md": "---\nname: rev\ndescription: reviews\n---\n",
            "commands/hello.md": "---\ndescription: Say hello\n---\n",
            "skills/s1/SKILL.md": "---\nname: s1\ndescription: one\n---\n",
        },
    ),
    (
        "no-frontmatter",
        {
            ".claude-plugin/plugin.json": pj(),
            "commands/x.md": "just text\n",
            "skills/s1/SKILL.md": "# title\n",
            "agents/a.md": "",
        },
    ),
    (
        "bad-yaml",
        {
            ".claude-plugin/plugin.json": pj(),
            "agents/a.md": "---\nname: a\ndescription: x\n  y: [\n---\n",
            "skills/s/SKILL.md": "---\nname: [unclosed\n---\n",
        },
    ),
    (
        "colon-in-description",
        {
            ".claude-plugin/plugin.json": pj(),
            "agents/a.md": "---\nname: a\ndescription: Use it when: you need it. Examples: <example>x</example>\n---\n",
        },
    ),
    (
        "no-description",
        {
            ".claude-plugin/plugin.json": pj(),
            "commands/c.md": "---\nargument-hint: x\n---\n",
            "agents/a.md": "---\nname: a\n---\n",
        },
    ),
    ("claude-md", {".claude-plugin/plugin.json": pj(), "CLAUDE.md": "x"}),
    (
        "mcp",
        {
            ".claude-plugin/plugin.json": pj(),
            ".mcp.json": json.dumps(
                {
                    "mcpServers": {
                        "bad": {"url": "nope"},
                        "empty": {"type": "http", "url": ""},
                        "env": {"url": "${X:-https://a.example/mcp}"},
                        "ok": {"url": "https://a.example/mcp"},
                        "typed": {"type": "http", "url": "nope"},
                        "clear": {"type": "http", "url": "http://evil.example/mcp"},
                        "local": {"type": "http", "url": "http://localhost:3000/mcp"},
                        "nocmd": {"args": ["x"]},
                    }
                }
            ),
        },
    ),
    ("mcp-bare", {".claude-plugin/plugin.json": pj(), ".mcp.json": json.dumps({"s": {"command": "npx", "args": ["x"]}})}),
    (
        "lsp-unknown-key",
        {
            ".claude-plugin/plugin.json": pj(
                lspServers={"go": {"command": "gopls", "extensionToLanguage": {".go": "go"}, "bogus": 1}}
            )
        },
    ),
    ("user-config", {".claude-plugin/plugin.json": pj(userConfig={"k": {"type": "string", "title": "t"}})}),
    # With a schema error, Claude Code skips the name checks and the missing-field warnings
    # but keeps unknown-field warnings and component paths (found through the sample data).
    (
        "schema-error-spaces",
        {".claude-plugin/plugin.json": '{"name": "Quick Fixes", "version": "1", "description": "d", "author": {"name": "x"}}'},
    ),
    (
        "schema-error-skips-name-checks",
        {
            ".claude-plugin/plugin.json": '{"name": "claude-official-tools", "version": 1, "zzz": 1, "category": "x", "commands": ["./nope.md"]}'
        },
    ),
    (
        "no-schema-error-name-checks",
        {".claude-plugin/plugin.json": '{"name": "claude-official-tools", "version": "1", "commands": ["./nope.md"]}'},
    ),
    ("no-manifest-skills", {"skills/s1/SKILL.md": "---\nname: s1\ndescription: x\n---\n"}),
    ("no-manifest-commands", {"commands/c.md": "---\ndescription: x\n---\n"}),
    ("reserved-standalone", {".claude-plugin/plugin.json": pj(name="claude-helper")}),
    (
        "skills-file",
        {
            ".claude-plugin/plugin.json": pj(skills=["./skills/s1/SKILL.md"]),
            "skills/s1/SKILL.md": "---\nname: s1\ndescription: x\n---\n",
        },
    ),
    (
        "hooks",
        {
            ".claude-plugin/plugin.json": pj(),
            "hooks/hooks.json": json.dumps(
                {"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/s.sh"}]}]}}
            ),
        },
    ),
    ("author-name-empty", {".claude-plugin/plugin.json": pj(author={"name": ""})}),
    (
        "unknown-fields-near-common-and-tolerated",
        {".claude-plugin/plugin.json": pj(Version="1", kewords=[], type="module", devDependencies={}, support=5)},
    ),
    ("engines-not-an-object", {".claude-plugin/plugin.json": pj(engines=None)}),
    ("user-config-cross-tool-spelling", {".claude-plugin/plugin.json": pj(user_config={})}),
]
