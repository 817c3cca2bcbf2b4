"""Capability and risk signals computed from a plugin's published files (SECURITY.md §4).

These are signals, not a verdict: *"Static signals from published files. Not a security
audit; no findings does not mean safe."* Each signal has a level (info < notice < elevated
< high), a summary in our words, and evidence (file, line, the matched text clipped to 200
characters, stored as untrusted text). Everything a plugin *declares* is covered, whether or
not Claude Code would load it (a hook outside the ``hooks`` object is still a command hook,
marked not loadable). Signals that need the whole index (impersonation, duplicates, changes
since the previous snapshot) are added by ``identity.py`` and the crawl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from agentops_index.manifest.checks import inside, read_bytes
from agentops_index.manifest.components import ComponentDoc, Inventory
from agentops_index.manifest.text import normalize

LEVELS = ("info", "notice", "elevated", "high")
DISCLAIMER = "Static signals from published files. Not a security audit; no findings does not mean safe."
EVIDENCE_CAP = 200
SCRIPT_CAP = 256 * 1024
MAX_SCRIPTS = 50
ALWAYS_ON_EVENTS = ("SessionStart", "UserPromptSubmit", "sessionStart", "beforeSubmitPrompt")  # Claude's, Cursor's

# SECURITY.md §4 shell.patterns: regex families and their levels.
SHELL_FAMILIES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "download_and_run",
        "high",
        re.compile(r"(curl|wget)\b[^|;\n]*\|\s*(ba|z)?sh\b|\beval\s*[\"'$(`]|base64\s+(-d|--decode)|python3?\s+-c\s", re.I),
    ),
    (
        "remote_install",
        "elevated",
        re.compile(
            r"\bnpx(?:\s+--?[\w-]+)*\s+(?!-)(?![\w@/.-]+@\d)[\w@/.-]+|\buvx(?:\s+--?[\w-]+)*\s+(?!-)(?![\w.-]+[=@]=?\d)[\w.-]+|\bpip3?\s+install\s+(?![^\n]*==)[\w.-]+",
            re.I,
        ),
    ),
    ("secret_paths", "high", re.compile(r"~/\.ssh|~/\.aws|~/\.gnupg|\.env\b|keychain|id_rsa|\.netrc", re.I)),
    ("secret_env", "elevated", re.compile(r"\$\{?[A-Z][A-Z0-9_]*(_TOKEN|_KEY|_SECRET|_PASSWORD)\b|\$\{?AWS_[A-Z_]+")),
    (
        "agent_config_writes",
        "high",
        re.compile(r"(>|tee|cp|mv|sed\s+-i)[^\n]*(~/\.claude/settings\.json|CLAUDE\.md|MEMORY\.md|\.claude/)", re.I),
    ),
    (
        "destructive",
        "high",
        re.compile(r"\brm\s+-[a-z]*r[a-z]*f|\brm\s+-[a-z]*f[a-z]*r|chmod\s+(-R\s+)?777|\bmkfs\b|\bdd\s+if=", re.I),
    ),
    ("hardcoded_endpoint", "notice", re.compile(r"https?://(\d{1,3}\.){3}\d{1,3}|https?://[a-z0-9.-]+\.[a-z]{2,}", re.I)),
    ("obfuscation", "high", re.compile(r"[A-Za-z0-9+/]{100,}={0,2}|(\\x[0-9a-fA-F]{2}){8,}")),
)
INJECTION = re.compile(
    r"ignore (all )?(the )?previous|disregard (all )?(prior|previous)|do not tell the user|don'?t tell the user|"
    r"you must always|system prompt|without (asking|telling) the user|new instructions:",
    re.I,
)
INLINE_BASH = re.compile(r"!`[^`\n]+`")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
RUNTIMES = {
    "python3": re.compile(r"\bpython3?\b|\.py\b|\bpip3?\b"),
    "node": re.compile(r"\bnode\b|\bnpx\b|\bnpm\b|\.m?js\b"),
    "bun": re.compile(r"\bbunx?\b"),
    "uv": re.compile(r"\buvx?\b"),
    "docker": re.compile(r"\bdocker\b|\bpodman\b"),
    "deno": re.compile(r"\bdeno\b"),
}
BINARY_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ")
ROOT_REF = re.compile(r"\$\{?CLAUDE_PLUGIN_ROOT\}?/([\w./-]+)")


@dataclass(slots=True)
class Evidence:
    file: str
    line: int | None
    text: str


@dataclass(slots=True)
class Signal:
    code: str
    level: str
    summary: str
    loadable: bool = True
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Findings:
    """What the static pass found for one plugin."""

    signals: list[Signal] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)  # our words, no third-party text
    runtimes: set[str] = field(default_factory=set)

    def add(
        self, code: str, level: str, summary: str, file: str, text: str | None, line: int | None = None, loadable: bool = True
    ) -> None:
        self.signals.append(Signal(code, level, summary, loadable, [Evidence(file, line, _clip(text or ""))]))


def _clip(text: str) -> str:
    return normalize(text, EVIDENCE_CAP).text


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _shell(found: Findings, text: str, file: str, base_line: int | None = None) -> None:
    for family, level, pattern in SHELL_FAMILIES:
        for match in pattern.finditer(text):
            line = _line_of(text, match.start()) if base_line is None else base_line
            found.add("shell.patterns", level, f"shell pattern: {family.replace('_', ' ')}", file, match.group(0), line)
            break  # one piece of evidence per family and file is enough to show
    for name, pattern in RUNTIMES.items():
        if pattern.search(text):
            found.runtimes.add(name)


def _hooks(found: Findings, inventory: Inventory) -> None:
    for hook in inventory.hooks:
        where = hook.file or "hooks"
        if hook.type == "command" and hook.command:
            always = hook.event in ALWAYS_ON_EVENTS
            broad = hook.event == "PreToolUse" and (hook.matcher in (None, "", "*"))
            level = "high" if (always or broad) else "elevated"
            when = (
                "at every session start"
                if hook.event == "SessionStart"
                else "on every prompt"
                if hook.event == "UserPromptSubmit"
                else f"on {hook.event}"
            )
            found.add("hooks.command", level, f"runs a shell command {when}", where, hook.command, loadable=hook.loadable)
            found.capabilities.append(
                f"runs a shell command {when}" + ("" if hook.loadable else " (declared, but Claude Code would not load it)")
            )
            _shell(found, hook.command, where, None)
        elif hook.type == "http" and hook.url:
            found.add("hooks.http", "high", "sends session events to a web address", where, hook.url, loadable=hook.loadable)
            found.capabilities.append("sends session events over the network")
        elif hook.type in ("prompt", "agent"):
            found.capabilities.append(f"adds a {hook.type} hook on {hook.event}")


def _pinned(args: list[str], runner: str) -> bool:
    package = next((a for a in args if not a.startswith("-")), "")
    if runner == "docker":
        image = next((a for a in args[args.index("run") + 1 :] if not a.startswith("-")), "") if "run" in args else package
        return "@sha256:" in image or (":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"))
    if runner == "uvx":
        return "==" in package or "@" in package.lstrip("@")
    version = package.rsplit("@", 1)[1] if package.count("@") > (1 if package.startswith("@") else 0) else ""
    return bool(version) and version != "latest" and not version.startswith(("^", "~"))


def _servers(found: Findings, inventory: Inventory) -> None:
    for server in inventory.mcp_servers:
        where = server.file or ".mcp.json"
        if server.url or server.transport in ("http", "sse", "ws"):
            url = server.url or ""
            level = "high" if url.lower().startswith("http://") else "notice"
            found.add(
                "mcp.remote",
                level,
                "connects to a remote MCP server" + (" over plain http" if level == "high" else ""),
                where,
                url,
            )
            found.capabilities.append("connects to a remote MCP server")
            continue
        command = server.command or ""
        runner = Path(command).name
        line = " ".join([command, *server.args])
        level, note = "elevated", ""
        if runner in ("npx", "uvx", "bunx", "docker", "pnpx"):
            args = server.args
            if not _pinned(args, runner):
                level, note = "high", " (unpinned package)"
            else:
                note = " (pinned package)"
        found.add("mcp.stdio", level, f"starts a local MCP server{note}", where, line)
        found.capabilities.append(f"starts a local MCP server with {runner or 'a command'}{note}")
        for name, pattern in RUNTIMES.items():  # the pin is judged above; only note what it needs
            if pattern.search(line):
                found.runtimes.add(name)
    for _server in inventory.lsp_servers:
        found.capabilities.append("starts a language server")


def _tools(found: Findings, docs: list[ComponentDoc]) -> None:
    for doc in docs:
        tools = doc.allowed_tools
        if doc.kind == "skill" and tools is None:
            continue  # skills run inside the current session's permissions
        if tools is None:
            found.add("tools.breadth", "notice", f"{doc.kind} inherits every tool of the session", doc.path, None)
            continue
        parts = [t.strip() for t in re.split(r",(?![^()]*\))", tools) if t.strip()]
        if any(p == "Bash" or p == "Bash(*)" or p == "Bash(:*)" for p in parts):
            found.add("tools.breadth", "high", f"{doc.kind} may run any shell command", doc.path, tools)
        elif any(p.startswith(("WebFetch", "WebSearch")) for p in parts):
            found.add("tools.breadth", "notice", f"{doc.kind} may fetch from the web", doc.path, tools)
        elif any(p.startswith("Bash(") for p in parts):
            found.add("tools.breadth", "info", f"{doc.kind} runs specific shell commands", doc.path, tools)


def _read_text(plugin_dir: Path, relative: str) -> str | None:
    path = inside(plugin_dir, relative)
    data = read_bytes(path, SCRIPT_CAP) if path is not None and path.is_file() else None
    return data.decode("utf-8", errors="replace") if data is not None else None


def _documents(found: Findings, plugin_dir: Path, docs: list[ComponentDoc]) -> None:
    for doc in docs:
        text = _read_text(plugin_dir, doc.path)
        if text is None:
            continue
        if doc.kind == "command":
            for match in INLINE_BASH.finditer(text):
                found.add(
                    "inline_bash",
                    "elevated",
                    "runs a shell command when the command is invoked",
                    doc.path,
                    match.group(0),
                    _line_of(text, match.start()),
                )
                _shell(found, match.group(0), doc.path, _line_of(text, match.start()))
                break
        _hidden(found, text, doc.path)
        injection = INJECTION.search(text)
        if injection:
            found.add(
                "injection_phrase",
                "notice",
                "contains a phrase often used to steer a model",
                doc.path,
                injection.group(0),
                _line_of(text, injection.start()),
            )


def _hidden(found: Findings, text: str, file: str) -> None:
    normalized = normalize(text, None)
    if normalized.bidi_or_tags:
        found.add("hidden_chars", "high", f"{normalized.bidi_or_tags} invisible bidi or tag characters", file, None)
    elif normalized.hidden_removed:
        found.add("hidden_chars", "notice", f"{normalized.hidden_removed} zero-width or variation characters", file, None)
    comment = HTML_COMMENT.search(text) if file.endswith(".md") else None
    if comment:
        found.add(
            "hidden_chars",
            "notice",
            "an HTML comment hidden when rendered, read by the model",
            file,
            comment.group(0),
            _line_of(text, comment.start()),
        )


def _scripts(found: Findings, plugin_dir: Path, inventory: Inventory) -> None:
    """Bundled scripts that hooks and MCP servers run: opaque (not analyzed) or scanned."""
    commands = [h.command for h in inventory.hooks if h.command] + [
        " ".join([s.command or "", *s.args]) for s in inventory.mcp_servers
    ]
    seen: set[str] = set()
    for command in commands:
        for match in ROOT_REF.finditer(command):
            relative = match.group(1)
            if relative in seen or len(seen) >= MAX_SCRIPTS:
                continue
            seen.add(relative)
            path = inside(plugin_dir, relative)
            data = read_bytes(path, SCRIPT_CAP) if path is not None and path.is_file() else None
            if data is None:
                continue
            binary = data.startswith(BINARY_MAGIC) or b"\0" in data[:4096]
            language = Path(relative).suffix.lstrip(".") or ("binary" if binary else "script")
            minified = not binary and max((len(x) for x in data.splitlines()), default=0) > 1000
            level = "high" if binary else "elevated"
            summary = f"runs a bundled {'binary' if binary else language} ({len(data):,} bytes{', minified' if minified else ''}; not analyzed)"
            found.add("script.opaque", level, summary, relative, None)
            if not binary:
                _shell(found, data.decode("utf-8", errors="replace"), relative)


def compute(plugin_dir: Path | None, inventory: Inventory) -> Findings:
    """Every signal the plugin's own files and declarations give (no index-wide signals)."""
    found = Findings()
    _hooks(found, inventory)
    _servers(found, inventory)
    docs = [*inventory.commands, *inventory.agents, *inventory.skills]
    _tools(found, docs)
    if plugin_dir is not None:
        _documents(found, plugin_dir, docs)
        _scripts(found, plugin_dir, inventory)
    if docs:
        kinds = [
            f"{len(v)} {k}{'s' if len(v) != 1 else ''}"
            for k, v in (("command", inventory.commands), ("agent", inventory.agents), ("skill", inventory.skills))
            if v
        ]
        found.capabilities.insert(0, "adds " + ", ".join(kinds))
    return found


def highest(levels: list[str]) -> str | None:
    return max(levels, key=LEVELS.index) if levels else None
