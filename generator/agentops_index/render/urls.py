"""URLs: which external links may appear in ``href``/``src`` (SECURITY.md R-3), and ours.

``safe_url`` is the only way a URL a stranger wrote reaches an attribute. It accepts
``http``/``https`` URLs with a public-looking registrable host and no credentials, and
returns them with the host in punycode; everything else is shown as text, not linked.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"'`{}|^]")
_LOCAL_SUFFIXES = ("localhost", ".local", ".internal", ".localdomain", ".lan", ".home.arpa", ".test", ".invalid")
MAX_URL = 2048


def safe_url(value: object) -> str | None:
    """A normalized ``http(s)`` URL safe to put in ``href``, or None."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        return None
    if _FORBIDDEN.search(value):
        return None  # whitespace, controls, quotes: no browser-tolerance tricks
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if "@" in parts.netloc or parts.username or parts.password:
        return None
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return None
    ascii_host = _public_host(host)
    if ascii_host is None:
        return None
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))


def _public_host(host: str) -> str | None:
    """The punycode form of a public DNS name, or None (IP literals, local names, junk)."""
    if not host:
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit() or ascii_host.endswith(_LOCAL_SUFFIXES) or ascii_host == "localhost":
        return None
    return ascii_host


def relative_root(path: str) -> str:
    """The relative prefix from the page at ``path`` (an output file) to the site root."""
    depth = path.count("/")
    return "../" * depth if depth else "./"
