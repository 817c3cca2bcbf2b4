"""Naming rules for marketplaces and plugins, as ``claude plugin validate`` 2.1.328 applies them.

Each rule below was pinned down by probing the real CLI (see tests/test_cli_oracle.py,
which re-checks them against the live binary).
"""

from __future__ import annotations

import re

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
DESKTOP_MAX = 128
ID_RULE = 'may use only the letters a-z and A-Z, digits, ".", "_" and "-", and must start with a letter or digit.'
DESKTOP_RULE = 'letters, digits, ".", "_", "-"; must start alphanumeric; max 128 chars'
DESKTOP_SYNC = "Claude Desktop managed marketplace sync (allowedPluginMarketplaces)"

RESERVED_PLUGIN_MESSAGE = (
    "Plugin name \"{name}\" is reserved: it passes as one of Anthropic's own. A third party's plugin name "
    'cannot start with "claude-", "anthropic-", "anthropics-", or "cc-plugin-", be "claude", "anthropic", '
    '"anthropics", "claude-code", or "claude-mods", or put "official" beside "claude" or "anthropic". '
    "Name it for what it does."
)
READS_AS_MESSAGE = 'Plugin name "{name}" reads as one of Anthropic\'s own. Name it for what it does.'

_SEP = r"[-_.\s]"
_RESERVED_PREFIX = re.compile(rf"^(?:claude|anthropics?|cc{_SEP}*plugin){_SEP}", re.IGNORECASE)
_RESERVED_EXACT = re.compile(rf"^(?:claude|anthropics?|claude{_SEP}*(?:code|mods))$", re.IGNORECASE)
_OFFICIAL_BESIDE = re.compile(r"official[^a-z0-9]*(?:anthropic|claude)|(?:anthropic|claude)[^a-z0-9]*official", re.IGNORECASE)
_WHOLE_WORD = re.compile(rf"(?:^|{_SEP})(?:claude|anthropics?)(?:$|{_SEP})", re.IGNORECASE)

_MARKETPLACE_IMPERSONATION = re.compile(
    r"official[^a-z0-9]*(?:anthropic|claude)|(?:anthropic|claude)[^a-z0-9]*official"
    r"|^(?:anthropic|claude)[^a-z0-9]*(?:marketplace|plugins|official)",
    re.IGNORECASE,
)
# Official names Claude Code keeps for Anthropic; validate lets them pass (only
# `marketplace add` refuses them from a non-anthropics source).
OFFICIAL_MARKETPLACE_NAMES = frozenset(
    {
        "claude-code-marketplace",
        "claude-code-plugins",
        "claude-plugins-official",
        "anthropic-marketplace",
        "anthropic-plugins",
        "agent-skills",
        "anthropic-agent-skills",
        "life-sciences",
        "knowledge-work-plugins",
        "claude-for-legal",
        "claude-for-financial-services",
        "financial-services-plugins",
        "first-party-plugins",
        "claude-tag-plugins",
        "claude-community",
        "claude-plugins-community",
        "healthcare",
        "anthropic-plugin-directory",
        "claude-plugin-directory",
    }
)
RESERVED_MARKETPLACE_USES = {
    "inline": "--plugin-dir session plugins",
    "builtin": "built-in plugins",
    "skills-dir": "plugins auto-loaded from .claude/skills/",
    "synced": "plugins synced from your claude.ai account",
    "claude-plugin-test": "plugins loaded by claude plugin test",
}


def plugin_reserved(name: str) -> bool:
    """Whether a plugin name passes as Anthropic's own (an error in validate)."""
    return bool(_RESERVED_PREFIX.search(name) or _RESERVED_EXACT.search(name) or _OFFICIAL_BESIDE.search(name))


def plugin_reads_as_anthropic(name: str) -> bool:
    """Whether ``claude``/``anthropic`` stands as a whole word in a name (a warning)."""
    return bool(_WHOLE_WORD.search(name))


def anthropics_own(marketplace_id: str, name: object) -> bool:
    """Whether a marketplace is one of Anthropic's own: an official name in the anthropics
    organization. Its plugins may carry reserved names (``claude-code-setup``): validated alone,
    Claude Code reports one and says to validate the marketplace that lists it, which passes."""
    owner = marketplace_id.split("/", 1)[0].lower()
    return owner == "anthropics" and isinstance(name, str) and name.lower() in OFFICIAL_MARKETPLACE_NAMES


def marketplace_impersonates(name: str) -> bool:
    """Whether a marketplace name impersonates an official one (any non-ASCII does too)."""
    if name.lower() in OFFICIAL_MARKETPLACE_NAMES:
        return False
    if any(not (" " <= ch <= "~") for ch in name):
        return True
    return bool(_MARKETPLACE_IMPERSONATION.search(name))


def valid_id(name: str) -> bool:
    return bool(ID_PATTERN.fullmatch(name))


def desktop_ok(name: str) -> bool:
    return valid_id(name) and len(name) <= DESKTOP_MAX


def is_kebab(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", name))
