"""Reading a downloaded query file (``api/v1/query.json.gz``) with the standard library alone.

The CLI and the agentops plugins' reader both read query files through this module, so one
rule decides what a download may hold. Every record is checked field by field against
``FIELDS`` (the shape of ``records.QueryRecord``; a test keeps the two equal), unknown fields
are dropped, and every third-party string is normalized and capped again: the file came over
the network (SECURITY.md §5.1). A bad file is one ``InputError`` naming the source and the field.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from typing import Any

from agentops_index.errors import InputError
from agentops_index.manifest.text import DESCRIPTION_CAP, DESCRIPTION_LIST_CAP, KEYWORD_CAP, NAME_CAP, SHORT_CAP, clean
from agentops_index.rank import STATIC_PARTS

# What a site publishes under api/v1/ for clients that query it (the CLI's --snapshot URL, the
# plugins' reader), beside the whole snapshot.json.
QUERY_FILE = "query.json.gz"
ASSISTANT_FILE = "assistant.json.gz"
SITE_FILES = ("snapshot.json", QUERY_FILE, "query.json", ASSISTANT_FILE)  # query.json: its name before gzip
FORMAT = "agentops-index/query"
# 2 added a record's ``home`` (the client whose catalog gives it), 3 the home "skill": a reader of
# an older version would offer those records as Claude Code plugins, so it refuses the file. This
# reader takes a home it does not know for another client's (``recap``), never for Claude's.
FORMAT_VERSION = 3
READABLE_FORMATS = frozenset({1, 2, 3})  # a version 1 file's records are all Claude Code listings
CLIENTS = ("claude", "codex", "cursor", "skill", "agent-plugins")  # the homes and facet values a record may carry
MAX_PLUGINS = 500_000  # records a query file may hold (30,000 today; anchors claim up to 80,000)
QUERY_FILE_CAP = 512 * 1024 * 1024  # bytes of JSON a downloaded query file may unpack to (session.DOWNLOAD_CAP)

# Field -> (kind, default); a field without a default (``REQUIRED``) must be present.
REQUIRED = object()
FIELDS: dict[str, tuple[str, Any]] = {
    "id": ("str", REQUIRED),
    "slug": ("str", REQUIRED),
    "name": ("str", REQUIRED),
    "display_name": ("str?", None),
    "description": ("str", ""),
    "keywords": ("strs", []),
    "tags": ("strs", []),
    "category": ("str", REQUIRED),
    "marketplace": ("str", REQUIRED),
    "author": ("str?", None),
    "commands": ("pairs", []),
    "agents": ("pairs", []),
    "skills": ("pairs", []),
    "mcp": ("strs", []),
    "counts": ("ints", {}),
    "hooks": ("hooks", []),
    "valid": ("bool", REQUIRED),
    "errors": ("int", 0),
    "warnings": ("int", 0),
    "risk": ("str?", None),
    "signal": ("str?", None),
    "static": ("float", 0.0),
    "parts": ("floats", {}),
    "penalties": ("penalties", []),
    "explanation": ("str", ""),
    "stars": ("int?", None),
    "pushed_at": ("str?", None),
    "license": ("str?", None),
    "install": ("strs", []),
    "install_note": ("str?", None),
    "installs": ("pairs", []),
    "canonical_id": ("str?", None),
    "mirrors": ("strs", []),
    "clients": ("strs", ["claude"]),
    "home": ("str", "claude"),
    "context_tokens": ("int", 0),
    "dependencies": ("int", 0),
    "capabilities": ("strs", []),
    "source": ("object?", None),
    "source_problem": ("str?", None),
    "first_seen": ("str", ""),
    "last_changed": ("str", ""),
}


BIG = 2**53  # a count above this is not a count
# The install commands we write (search/records.py, bundles): a marketplace to add (owner/repo or
# an http(s) URL) or a plugin to install (name@marketplace). Nothing else reaches the user as a
# command to run, whatever a downloaded file says.
INSTALL_LINE = re.compile(
    r"^/plugin (?:install [A-Za-z0-9._-]{1,128}@[A-Za-z0-9._-]{1,128}"
    r"|marketplace add (?:[A-Za-z0-9._-]{1,100}/[A-Za-z0-9._-]{1,100}|https?://[A-Za-z0-9._~:/%+@-]{1,300}))$"
)
# Other clients' commands we write (sources/clients.py, sources/standalone.py), by client: Codex's
# marketplace add and plugin add, and the line that copies a standalone skill where an agent reads it.
_SEG = r"[A-Za-z0-9._][A-Za-z0-9._-]{0,127}"
CLIENT_LINES = {  # each used with fullmatch
    "codex": re.compile(
        r"codex plugin (?:marketplace add [A-Za-z0-9._][A-Za-z0-9._-]{0,99}/[A-Za-z0-9._][A-Za-z0-9._-]{0,99}"
        r"|add [A-Za-z0-9][A-Za-z0-9._-]{0,127}@[A-Za-z0-9][A-Za-z0-9._-]{0,127})"
    ),
    # A root copy drops the clone's .git and copies "$d/r"; a folder's copies "$d/r/<folder>"; the
    # name that must not exist is the name copied to.
    "skill": re.compile(
        rf'd=\$\(mktemp -d\) && git clone --depth 1 https://github\.com/{_SEG}/{_SEG}\.git "\$d/r"'
        rf'( && rm -rf "\$d/r/\.git")? && mkdir -p (~/\.claude/skills|~/\.agents/skills) && test ! -e \2/({_SEG}) '
        rf'&& cp -R "\$d/r(?(1)|(?:/{_SEG})+)" \2/\3  # (?:Claude Code|Codex)'
    ),
}
_DOTS = re.compile(r'(?:^|[/ "])\.{1,2}(?=[/ "]|$)')  # a "." or ".." path part: never in a line we wrote


def client_line(client: str, line: str) -> bool:
    """Whether ``line`` is a command of ``client``'s that we write, and nothing else."""
    shape = CLIENT_LINES.get(client)
    return shape is not None and shape.fullmatch(line) is not None and _DOTS.search(line) is None


_KEY = re.compile(r"^[a-z][a-z_]{0,39}$")


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= BIG


def _number(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or isinstance(v, float)


def _share(v: Any) -> bool:
    """A number from 0 to 1 (score parts, penalties' factors, the static score)."""
    return _number(v) and math.isfinite(v) and 0 <= v <= 1


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _pair(v: Any, second_optional: bool = False) -> bool:
    return (
        isinstance(v, list)
        and len(v) == 2
        and isinstance(v[0], str)
        and (isinstance(v[1], str) or (second_optional and v[1] is None))
    )


CHECKS: dict[str, tuple[Any, str]] = {
    "str": (lambda v: isinstance(v, str), "expected a string"),
    "str?": (lambda v: v is None or isinstance(v, str), "expected a string or null"),
    "bool": (lambda v: isinstance(v, bool), "expected true or false"),
    "int": (_int, "expected an integer"),
    "int?": (lambda v: v is None or _int(v), "expected an integer or null"),
    "float": (_share, "expected a number from 0 to 1"),
    "strs": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "expected a list of strings"),
    "pairs": (lambda v: isinstance(v, list) and all(_pair(x) for x in v), "expected a list of [name, description] pairs"),
    "hooks": (lambda v: isinstance(v, list) and all(_pair(x, True) for x in v), "expected a list of [event, matcher] pairs"),
    "ints": (
        lambda v: (
            isinstance(v, dict) and len(v) <= 20 and all(isinstance(k, str) and _KEY.match(k) and _int(x) for k, x in v.items())
        ),
        "expected an object of counts",
    ),
    "floats": (
        lambda v: isinstance(v, dict) and all(k in STATIC_PARTS and _share(x) for k, x in v.items()),
        f"expected an object of {', '.join(STATIC_PARTS)}, each from 0 to 1",
    ),
    "penalties": (
        lambda v: (
            isinstance(v, list)
            and len(v) <= 20
            and all(
                isinstance(x, list) and len(x) == 2 and isinstance(x[0], str) and _KEY.match(x[0]) and _share(x[1]) for x in v
            )
        ),
        "expected a list of [name, factor from 0 to 1] pairs",
    ),
    "object?": (lambda v: v is None or isinstance(v, dict), "expected an object or null"),
}
_CAPS = {"name": NAME_CAP, "display_name": NAME_CAP, "description": DESCRIPTION_CAP, "author": SHORT_CAP}


def api_folder(url: str) -> str | None:
    """The api/v1/ folder a site URL names (a site root ending in "/", its api/v1 folder, or one
    of ``SITE_FILES`` in it), query and fragment dropped; None for any other URL."""
    base = url.split("#", 1)[0].split("?", 1)[0]
    name = base.rsplit("/", 1)[-1]
    if name in SITE_FILES:
        return base[: -len(name)]
    if base.rstrip("/").endswith("/api/v1"):
        return base.rstrip("/") + "/"
    if base.endswith("/"):
        return base + "api/v1/"
    return None


def unpacked(raw: bytes, where: str, cap: int | None = None) -> bytes:
    """A query file's JSON: gunzipped when it is gzip, at most ``cap`` bytes (default
    QUERY_FILE_CAP: a small download must not unpack into gigabytes)."""
    cap = cap or QUERY_FILE_CAP
    if len(raw) > cap:
        raise InputError(f"{where}: larger than {cap} bytes")
    if raw[:2] != b"\x1f\x8b":
        return raw
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(raw, cap)
    except zlib.error as exc:
        raise InputError(f"{where}: not a readable gzip file ({exc})") from exc
    if inflater.unconsumed_tail:
        raise InputError(f"{where}: unpacks to more than {cap} bytes")
    if not inflater.eof:
        raise InputError(f"{where}: the gzip file is cut short")
    if inflater.unused_data:
        raise InputError(f"{where}: bytes follow the gzip stream")
    return out


def checked(item: Any, where: str) -> dict[str, Any]:
    """One record with every field of ``FIELDS`` (defaults filled in, others dropped), or an
    InputError naming the first bad field."""
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected an object")
    out: dict[str, Any] = {}
    for field, (kind, default) in FIELDS.items():
        if field not in item:
            if default is REQUIRED:
                raise InputError(f"{where}.{field}: field required")
            out[field] = json.loads(json.dumps(default))  # a fresh copy of a list or dict
            continue
        value = item[field]
        test, message = CHECKS[kind]
        if not test(value):
            raise InputError(f"{where}.{field}: {message}")
        out[field] = float(value) if kind == "float" else value
    out["parts"] = {k: float(v) for k, v in out["parts"].items()}
    out["penalties"] = [[name, float(factor)] for name, factor in out["penalties"]]
    return out


def recap(data: dict[str, Any]) -> dict[str, Any]:
    """A checked record with every third-party string normalized and capped again."""
    for field, cap in _CAPS.items():
        if isinstance(data.get(field), str):
            data[field] = clean(data[field], cap)
    for field in ("keywords", "tags", "mcp"):
        data[field] = [clean(v, KEYWORD_CAP if field != "mcp" else NAME_CAP) for v in data[field]][:200]
    for field in ("commands", "agents", "skills"):
        data[field] = [[clean(n, NAME_CAP), clean(d, DESCRIPTION_LIST_CAP)] for n, d in data[field]][:200]
    for field in ("id", "slug", "marketplace", "category", "signal", "explanation", "install_note", "canonical_id"):
        if isinstance(data.get(field), str):
            data[field] = clean(data[field], SHORT_CAP if field != "explanation" else DESCRIPTION_CAP)
    data["install"] = [x for x in (clean(x, SHORT_CAP) for x in data["install"]) if INSTALL_LINE.match(x)][:2]
    data["installs"] = [(c, x) for c, x in data["installs"] if client_line(c, x)][:8]
    data["mirrors"] = [clean(x, SHORT_CAP) for x in data["mirrors"]][:500]
    data["clients"] = [c for c in CLIENTS if c in data["clients"]]  # the facet's values, nothing else
    data["home"] = data["home"] if data["home"] in CLIENTS else "other"
    data["capabilities"] = [clean(x, SHORT_CAP) for x in data["capabilities"]][:50]
    return data


def loads(text: bytes) -> Any:
    """JSON without NaN or Infinity (a downloaded number must be a number)."""
    return json.loads(text, parse_constant=_no_constant)


def read_query_file(raw: bytes, where: str, cap: int | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate a downloaded query file (gzip or plain JSON, at most ``cap`` bytes unpacked): its
    header and records, or a one-line InputError naming the field."""
    try:
        body = loads(unpacked(raw, where, cap))
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: not JSON ({str(exc)[:200]})") from exc
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise InputError(f"{where}: format: not an agentops-index query file")
    if body.get("format_version") not in READABLE_FORMATS:
        readable = " or ".join(str(v) for v in sorted(READABLE_FORMATS))
        raise InputError(f"{where}: format_version: not {readable}, the versions this agentops-index reads")
    plugins = body.get("plugins")
    if not isinstance(plugins, list):
        raise InputError(f"{where}: plugins: not a list")
    if len(plugins) > MAX_PLUGINS:
        raise InputError(f"{where}: plugins: more than {MAX_PLUGINS}")
    records = [recap(checked(item, f"{where}: plugins[{index}]")) for index, item in enumerate(plugins)]
    seen: set[str] = set()
    for index, record in enumerate(records):
        if record["id"] in seen:
            raise InputError(f"{where}: plugins[{index}].id: the same id as an earlier plugin")
        seen.add(record["id"])
    header = {k: body.get(k) for k in ("generator", "generated_at", "schema_version")}
    for key, value in header.items():
        if value is not None and not isinstance(value, (str, int)):
            raise InputError(f"{where}: {key}: expected a string")
        if isinstance(value, str):
            header[key] = clean(value, SHORT_CAP)
    return header, records
