"""The in-browser search: Pagefind finds candidates, templates/static/rank.js ranks them as the CLI does.

What the site carries for it:

- each plugin has a search record (``templates/search_record.html``), a page Pagefind reads at the
  plugin page's path in a folder the build sets aside and removes before publishing: the text
  Pagefind indexes (``data-pagefind-body``; nothing else of the page is indexed, which keeps its
  index and the fragments a search loads small), field by field as the CLI indexes it (names,
  keywords, component names, description, category, marketplace, author, and the first
  ``COMPONENT_TEXT`` characters of component descriptions) with Pagefind weights, and a *card*
  (``page_search``): what a result shows (name, description, marketplace, verdict, highest
  signal, stars) and what ranking needs (the plugin's stemmed terms by relevance class, the
  popularity-and-penalty multiplier, its copy group and the facts that choose which listing of a
  group is shown), carried in an element id, which Pagefind returns but does not index;
- ``search/config.json``: synonyms, weak words and the formula's constants (data/search.toml,
  data/ranking.toml and search/query.py), so the browser reads the same settings;
- ``search/names.json`` and ``search/names/<prefix>.json``: every name key (letters and digits
  of names, display names, entry names, ids and slugs) with the result card of its listings
  (each card written once a shard, keys pointing at it),
  sharded by key prefix, so the plugin a person names is found first without Pagefind ranking it;
- ``search/words/<letter>.json``: the vocabulary (word, plugins using it, whether a name or
  keyword uses it, its Metaphone code), sharded by first letter and loaded for a query's words
  that may be misspelled or CamelCase: a word is known when the vocabulary has it or a word of
  the same stem, and an unknown one is corrected as ``search/spelling.py`` does.

Facets and sorting do not use Pagefind filters: with filters, Pagefind 1.5.2 wrote different
files on two runs over the same input, and the site must be byte-identical across builds.
Without filters its output is deterministic, which the build determinism test checks whole.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from agentops_index import rank
from agentops_index.config import Ranking, Search
from agentops_index.render.badges import CLIENT_WORDS
from agentops_index.render.writer import ASIDE
from agentops_index.search import index as classes_of
from agentops_index.search import query, spelling, terms
from agentops_index.search.records import other_marketplaces, updated_on
from agentops_index.search.store import Store, field_texts, group_key, kinds

TIMEOUT = 900
SEARCH_RECORD = "search_record.html"  # a plugin's page for Pagefind (templates/search_record.html)
SHARD_MAX = 120  # name keys in one names shard (about 8 KB compressed); a bigger one is split by one more letter
COMPLETIONS, COMPLETION_CARDS = 12, 40  # what a split prefix's own shard holds besides its key: the shortest keys below it
NAME_BYTES = 200  # bytes of a shard's file name at most (under the 255 of file systems; 200 ASCII letters, 33 CJK)
CARD_DESCRIPTION = 160
# A card's component counts, in this order (search.js's KINDS).
CARD_COUNTS = ("commands", "agents", "skills", "hooks", "mcp_servers", "lsp_servers")


def available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True


MISSING = "pagefind is not installed: the search page will find nothing (pip install 'pagefind[bin]')"


def command(site: Path) -> list[str]:
    """Pagefind over the plugins' search records, which the build set aside in ``site/.aside/`` at
    their pages' paths (so the URLs Pagefind gives are the pages'), into ``site/pagefind/``."""
    return [sys.executable, "-m", "pagefind", "--site", str(site / ASIDE), "--output-path", str(site / "pagefind"), "--quiet"]


def failure(code: int, stderr: str) -> str:
    """The warning for a Pagefind run that failed (the build goes on without a search index)."""
    return f"pagefind failed ({code}): {stderr.strip()[-300:]}"


def index(site: Path) -> str | None:
    """Build ``site/pagefind/`` from the search records set aside in ``site/.aside/``; a warning
    (not an error) when Pagefind is missing or fails. (The build runs the same command beside
    its other work when it has the memory: render/pagefind_beside.py.)"""
    if not available():
        return MISSING
    if not (site / ASIDE).is_dir():
        return None  # no plugins
    done = subprocess.run(command(site), capture_output=True, text=True, timeout=TIMEOUT, check=False)
    return failure(done.returncode, done.stderr) if done.returncode != 0 else None


# --- what each plugin page carries ---------------------------------------------------------------


def verdict(record: dict[str, Any]) -> str:
    """Claude Code's verdict, or the verdict of the client whose catalog gives the record, named."""
    home = record.get("home", "claude")
    who = "" if home == "claude" else f"{CLIENT_WORDS.get(home, home)}: "
    if not record["valid"]:
        return f"{who}{record['errors']} error{'s' if record['errors'] != 1 else ''}"
    return f"{who}passes" + (
        f", {record['warnings']} warning{'s' if record['warnings'] != 1 else ''}" if record["warnings"] else ""
    )


def class_string(record: dict[str, Any]) -> str:
    """The record's stemmed terms by class, as ``n=a b;k=c;...``."""
    found = classes_of.class_terms(record)
    parts = []
    for cls in classes_of.CLASSES:
        stems = sorted(found[cls])
        if stems:
            parts.append(f"{cls}={' '.join(stems)}")
    return ";".join(parts)


_LICENCE = re.compile(r"^[A-Za-z0-9.+-]{1,40}$")
_MARKER = re.compile(r"_*pagefind_", re.IGNORECASE)


def licence(record: dict[str, Any]) -> str:
    """The licence facet's value (as render/pages.py's licence_of gives it for the page)."""
    declared = record["license"] or ""
    return declared if _LICENCE.match(declared) else ("other" if declared else "unknown")


def card(record: dict[str, Any], ranking: Ranking) -> dict[str, Any]:
    """What a result shows and what choosing and ordering it needs, without its terms."""
    description = record["description"]
    return {
        "id": record["id"],
        "slug": record["slug"],
        "title": record["display_name"] or record["name"],
        "names": [n for n in (record["name"], record["display_name"], record["id"].rsplit("@", 1)[0]) if n],
        "desc": description if len(description) <= CARD_DESCRIPTION else description[: CARD_DESCRIPTION - 1] + "…",
        "market": record["marketplace"],
        "category": record["category"],
        "verdict": verdict(record),
        "valid": 1 if record["valid"] else 0,
        "signal": record["signal"] or "",
        "risk": record["risk"] or "none",
        "stars": record["stars"],  # None (null): no GitHub metrics, which is not 0 stars
        "mult": round(rank.combined(1.0, record["parts"], record["penalties"], ranking) * 1_000_000),
        "static": round(record["static"] * 1_000_000),
        "grp": group_tag(group_key(record)),
        "canon": 1 if record["canonical_id"] in (None, record["id"]) else 0,
        "also": other_marketplaces(record["id"], record["mirrors"]),
        "components": " ".join(kinds(record)) or "none",
        "clients": " ".join(record["clients"]),
        "n": [record["counts"].get(k, 0) for k in CARD_COUNTS],
        "licence": licence(record),
        "updated": updated_on(record).replace("-", ""),
    }


ANCHOR = "ao-search:"  # the id of the hidden element whose value is a page's search card
FIELD_CLASS = classes_of.FIELD_CLASS  # a field's relevance class; its Pagefind weight is ten times the class's
COMPONENT_TEXT = 600  # characters of component descriptions a page gives Pagefind (the weakest class)


def shortened(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its component descriptions cut to COMPONENT_TEXT characters in all, so a
    page's card holds the stems of the text Pagefind indexed, no more."""
    left = COMPONENT_TEXT
    out = dict(record)
    for kind in ("commands", "agents", "skills"):
        docs = []
        for name, description in record[kind]:
            cut = description[:left] if len(description) <= left else description[:left].rsplit(" ", 1)[0]
            left -= len(cut)
            docs.append((name, cut))
        out[kind] = docs
    return out


# Every character str.isspace() calls whitespace, but the space: each becomes its JSON escape.
_ID_SAFE = {code: f"\\u{code:04x}" for code in range(0x10000) if chr(code).isspace() and code != 0x20}
_ID_SAFE.update({ord("_"): "\\u005f", ord(" "): "_"})


def id_safe(body: str) -> str:
    """Compact JSON as an id: Pagefind drops every whitespace character from ids, so each space is
    written ``_`` (search.js turns them back) and each ``_`` and other whitespace a JSON escape."""
    return body.translate(_ID_SAFE)


def page_search(projected: dict[str, Any], ranking: Ranking) -> tuple[str, list[tuple[str, float]]]:
    """A plugin page's search card (the id of a hidden element) and the text Pagefind indexes,
    from the plugin's query record (``search/records.py``'s ``project``).

    Pagefind 1.5 indexes the values of ``data-pagefind-meta`` as searchable words, so a card held
    there would make its marketplace, verdict and stems find the page. An element's ``id`` is not
    indexed, and Pagefind returns every id of the indexed region with the page's fragment (its
    ``anchors``), so the card rides in one. It is compact JSON written for an id (``id_safe``); Pagefind
    decodes the HTML entities the template writes.
    """
    record = shortened(projected)
    fields: dict[str, Any] = {
        **card(record, ranking),
        "terms": class_string(record),
    }
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    anchor = ANCHOR + id_safe(body)
    # Pagefind ranks the candidates a search fetches first, so its weights are the CLI's class
    # weights (search/index.py), and search.js turns off its page-length penalty, which the CLI has not.
    size = classes_of.bucket(record)
    texts: list[tuple[str, float]] = []
    for field, values in field_texts(record).items():
        # Pagefind reads words it writes itself (___PAGEFIND_ANCHOR___, ___PAGEFIND_WEIGHT___) as
        # its own markers: a plugin must not forge an anchor or weigh its own words.
        # C#, C++ and .NET as the words the query is searched as (terms.symbols), which Pagefind
        # would otherwise cut to "c" and "net".
        text = terms.symbols(_MARKER.sub(" ", " ".join(dict.fromkeys(v for v in values if v))))
        cls = FIELD_CLASS[field]
        if text:
            texts.append((text, round(10 * classes_of.CLASSES[cls + size if cls in ("c", "x") else cls], 1)))
    return anchor, texts


# --- the site-wide files -----------------------------------------------------------------------


def group_tag(group: str) -> str:
    """A short stand-in for a copy group (its canonical id): the browser only compares them."""
    return hashlib.sha256(group.encode("utf-8", "surrogatepass")).hexdigest()[:16]  # 64 bits: no forged collision


def _compact(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def config(search: Search, ranking: Ranking, plugins: int) -> bytes:
    return _compact(
        {
            "plugins": plugins,
            "synonyms": search.synonyms,
            "weak_words": sorted(search.weak_words),
            "weak_weight": search.weak_weight,
            "classes": classes_of.CLASSES,
            "text_ceiling": query.TEXT_CEILING,
            "spread": query.SPREAD,
            "spread_cap": query.SPREAD_CAP,
            "any_best": query.ANY_BEST,
            "floor": query.FLOOR,
            "synonym": query.SYNONYM,
            "name_word": query.NAME_WORD,
            "name_word_rare": query.NAME_WORD_RARE,
            "name_cover": query.NAME_COVER,
            "weights": ranking.weights,
            "long_word": spelling.LONG_WORD,
            "min_correction": spelling.MIN_CORRECTION,
            "translations": {word: list(english) for word, english in sorted(search.translations.items())},
            "function_words": sorted(search.function_words),
            "compound_suffixes": list(search.compound_suffixes),
            "function_phrases": [list(p) for p in search.function_phrases],
        }
    )


def _shards(keys: dict[str, list[dict[str, Any]]], prefix: str, depth: int, out: dict[str, dict[str, Any]]) -> None:
    """Split the keys that start with ``prefix`` into shards of at most SHARD_MAX keys, however
    long the prefix they share ("amazonaws-com-amazonaws-com-..." names hundreds of plugins of one
    marketplace; cut at 24 letters, their shard was 1.6 MB at 30,000 plugins), unless a longer
    prefix's file name would pass NAME_BYTES: then the shard stays whole."""
    mine = {k: v for k, v in keys.items() if k.startswith(prefix)}
    if len(mine) <= SHARD_MAX or len(_file_name(prefix)) + len("_10ffff_") > NAME_BYTES:
        out[prefix] = mine
        return
    # The prefix's own shard: a key exactly as long as the prefix, and the shortest keys below it
    # (at most COMPLETIONS, with COMPLETION_CARDS listings; also in their deeper shards), for a
    # key typed between this prefix and its deeper shards ("front" above "frontenda", ...). The
    # browser reads the shard of the longest prefix a key begins with, else the shortest deeper
    # prefix that begins with the key (search.js's namesFor and deeperShard). A prefix whose
    # keys all go on to one longer prefix gets no shard: that one's holds the same names.
    longer: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for k, v in mine.items():
        if k != prefix:
            longer[k[: depth + 1]][k] = v
    if prefix in mine or len(longer) > 1:
        own = {prefix: mine[prefix]} if prefix in mine else {}
        cards = 0
        for k in sorted((k for k in mine if k != prefix), key=lambda k: (len(k), k)):
            cards += len(mine[k])
            if len(own) >= COMPLETIONS or cards > COMPLETION_CARDS:
                break
            own[k] = mine[k]
        out[prefix] = dict(sorted(own.items()))
    for sub in sorted(longer):
        _shards(longer[sub], sub, depth + 1, out)


def name_files(records: list[dict[str, Any]], ranking: Ranking) -> dict[str, bytes]:
    """search/names.json (the shard prefixes) and search/names/<prefix>.json."""
    keys: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in sorted(records, key=lambda r: r["id"]):
        shown = card(record, ranking)
        seen: set[tuple[str, str]] = set()
        # Names and ids, not slugs: a slug's key begins with its marketplace, so slugs would pile
        # a whole marketplace into one shard, and nobody types one.
        for value, kind in [*((n, "name") for n in shown["names"]), (record["id"], "id")]:
            k = terms.key(value)
            if k and (k, kind) not in seen:
                seen.add((k, kind))
                keys[k].append({**shown, "kind": kind})
    by_first: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(dict)
    for k, v in keys.items():
        by_first[k[:2]][k] = v
    shards: dict[str, dict[str, Any]] = {}
    for first in sorted(by_first):
        _shards(by_first[first], first, 2, shards)
    files = {f"search/names/{_file_name(prefix)}.json": _compact(_packed(body)) for prefix, body in shards.items()}
    files["search/names.json"] = _compact(sorted(shards))
    return files


def _packed(body: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A names shard with each card once: a plugin's name and id keys nearly always fall in one
    shard, and writing its card under each of them doubled the site's names/ folder.
    ``{"cards": [card, ...], "keys": {key: [[card number, "name" or "id"], ...]}}``."""
    cards: list[dict[str, Any]] = []
    number: dict[str, int] = {}
    keys: dict[str, list[list[Any]]] = {}
    for key in sorted(body):
        rows = []
        for entry in body[key]:
            shown = {k: v for k, v in entry.items() if k != "kind"}
            at = number.setdefault(shown["id"], len(cards))
            if at == len(cards):
                cards.append(shown)
            rows.append([at, entry["kind"]])
        keys[key] = rows
    return {"cards": cards, "keys": keys}


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _file_name(prefix: str) -> str:
    """A file name for a key prefix: ASCII letters and digits as they are, any other character
    as ``_<code point in hex>_`` (a key never holds ``_``, so two prefixes never share a name)."""
    return "".join(ch if ch in _PLAIN else f"_{ord(ch):x}_" for ch in prefix)


def word_files(store: Store) -> dict[str, bytes]:
    """search/words/<first letter>.json: [word, groups using it, named, Metaphone] rows, for typos:
    the query store's vocabulary (what the command line corrects from), its words of three ASCII
    letters or more."""
    shards: dict[str, list[list[Any]]] = defaultdict(list)
    for word, df, named, sound in store.vocabulary():
        if len(word) >= 3 and word.isascii() and word.isalpha():
            shards[word[0]].append([word, df, named, sound or ""])
    # One file for every letter, empty ones too: the browser asks by a word's first letters.
    return {f"search/words/{letter}.json": _compact({"rows": shards.get(letter, [])}) for letter in "abcdefghijklmnopqrstuvwxyz"}


def files(records: list[dict[str, Any]], store: Store, search: Search, ranking: Ranking) -> dict[str, bytes]:
    """Every site-wide file the in-browser search reads (``store``: the records' query store)."""
    out = {"search/config.json": config(search, ranking, len(records))}
    out.update(name_files(records, ranking))
    out.update(word_files(store))
    return out
