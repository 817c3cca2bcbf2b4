"""Settings from data/*.toml: ranking weights, search synonyms and weak words, where data files live.

A data file is read from an explicit path, else ./data/<name> (a checkout), else the copy
shipped in the package. Every problem in a file is collected and reported in one error that
names the file and the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_index.errors import ConfigError

PACKAGED = Path(__file__).resolve().parent / "data"
CHECKOUT = Path(__file__).resolve().parents[2] / "data"  # a source checkout (editable install), run from elsewhere
# The kinds a search or workflow stage can ask for (--component, facets, templates).
COMPONENT_KINDS = ("commands", "agents", "skills", "hooks", "mcp")
# Where `serve` and `python -m http.server 8000` put a local build.
DEFAULT_BASE_URL = "http://localhost:8000/"
# data/search.toml as load_search made it, kept in the cache (config/) so that a query does not
# parse 64 KB of TOML and fold every translation again: 80 ms of a 350 ms search process.
MEMOS = 8  # kept settings files (one a settings path); the least recently written go first


def data_file(name: str, explicit: Path | None = None) -> Path | None:
    """The file to read for ``name`` (e.g. "ranking.toml"), or None when there is none."""
    if explicit is not None:
        return Path(explicit)
    for candidate in (Path("data") / name, PACKAGED / name, CHECKOUT / name):
        if candidate.exists():
            return candidate
    return None


def read_toml(path: Path, raw: bytes | None = None) -> dict[str, Any]:
    """``path`` parsed (``raw``: its bytes, when they were read already)."""
    try:
        return tomllib.loads((Path(path).read_bytes() if raw is None else raw).decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _numbers(data: dict[str, Any], section: str, keys: dict[str, float], path: Path, problems: list[str]) -> dict[str, float]:
    table = data.get(section, {})
    out = dict(keys)
    for key, value in table.items() if isinstance(table, dict) else []:
        if key not in keys:
            problems.append(f"{path}: [{section}].{key}: unknown key (known: {', '.join(sorted(keys))})")
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"{path}: [{section}].{key}: must be a non-negative number")
        else:
            out[key] = float(value)
    return out


@dataclass(frozen=True)
class Ranking:
    weights: dict[str, float] = field(default_factory=lambda: {"relevance": 0.4, "stars": 0.2, "recency": 0.2, "adoption": 0.2})
    scales: dict[str, float] = field(
        default_factory=lambda: {"stars_saturation": 5000.0, "adoption_saturation": 1000.0, "recency_half_life_days": 120.0}
    )
    penalties: dict[str, float] = field(
        default_factory=lambda: {
            "validation_errors": 0.5,
            "archived": 0.6,
            "high_risk": 0.85,
            "impersonation": 0.3,
            "duplicate": 0.6,
        }
    )


def load_ranking(path: Path | None = None) -> Ranking:
    found = data_file("ranking.toml", path)
    if found is None:
        return Ranking()
    data, default = read_toml(found), Ranking()
    problems: list[str] = []
    ranking = Ranking(
        _numbers(data, "weights", default.weights, found, problems),
        _numbers(data, "scales", default.scales, found, problems),
        _numbers(data, "penalties", default.penalties, found, problems),
    )
    if abs(sum(ranking.weights.values()) - 1.0) > 1e-6:
        problems.append(f"{found}: [weights]: must sum to 1, they sum to {sum(ranking.weights.values()):g}")
    if any(v > 1 for v in ranking.penalties.values()):
        problems.append(f"{found}: [penalties]: multipliers must be at most 1")
    if problems:
        raise ConfigError("; ".join(problems))
    return ranking


@dataclass(frozen=True)
class Search:
    # How much a match in each field counts is search/index.py's CLASSES (the about/ranking page
    # publishes them); this file holds what a deployment may tune.
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    # Words that say little about what a plugin does ("write", "better", "files"): a query word
    # among them weighs ``weak_weight`` of its rarity when relevance is measured.
    weak_words: frozenset[str] = frozenset()
    weak_weight: float = 0.3
    # A word of another language -> the English words it is searched as (``search/terms.translation``).
    translations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Words that only join other words in those languages ("de", "für", "для"): dropped from a
    # query that the translations show to be in another language, where they would otherwise
    # find plugins whose names hold them ("análise de dados" is not about "de").
    function_words: frozenset[str] = frozenset()
    # Suffixes of package-style names ("js" of "vuejs"): such a word that no plugin says is searched
    # as its base when a plugin is named the base (not corrected to another name).
    compound_suffixes: tuple[str, ...] = ()
    # Phrases that only join too ("en busca de": looking for), as folded words: left out of any query,
    # where their words would be read as a search ("busca") or join another word ("code search").
    function_phrases: tuple[tuple[str, ...], ...] = ()


def cache_root() -> Path:
    """$XDG_CACHE_HOME/agentops-index, else ~/.cache/agentops-index; a relative $XDG_CACHE_HOME is
    ignored, as the XDG specification says (it would put the cache in the user's project)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "agentops-index"


def load_search(path: Path | None = None) -> Search:
    """data/search.toml's settings: from the cache's copy when it was made from these very bytes
    by this very code, else parsed, checked and derived, and then kept (where the cache can be
    written: a read-only home only costs the parse)."""
    found = data_file("search.toml", path)
    if found is None:
        return Search()
    try:
        raw = found.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{found}: cannot read ({exc.strerror or exc})") from exc
    where = _memo_file(found, raw)
    kept = _read_memo(*where) if where else None
    if kept is not None:
        return kept
    made = _parse_search(found, raw)
    if where:
        _write_memo(*where, made)
    return made


def _memo_file(found: Path, raw: bytes) -> tuple[Path, str] | None:
    """Where the derived settings of ``found`` are kept (one file per source path), and the key
    they must carry: the file's bytes and what derives from them (config.py, the terms module that
    folds the words, Python and its Unicode tables), so an edited file or an upgrade never reads
    what older code derived. None when the code cannot be told apart (no source file to stat)."""
    import unicodedata

    from agentops_index.search import terms

    digest = hashlib.sha256(raw)
    digest.update(f"|{sys.version}|{unicodedata.unidata_version}".encode())
    for module in (__file__, terms.__file__):
        try:
            st = os.stat(module or "")
        except OSError:
            return None
        digest.update(f"|{module}:{st.st_size}:{st.st_mtime_ns}".encode())
    name = hashlib.sha256(str(found.resolve()).encode()).hexdigest()[:16]
    return cache_root() / "config" / f"search-{name}.json", digest.hexdigest()


def _read_memo(memo: Path, key: str) -> Search | None:
    try:
        data = json.loads(memo.read_bytes())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        s = data["search"]
        return Search(
            {str(k): [str(w) for w in v] for k, v in s["synonyms"].items()},
            frozenset(str(w) for w in s["weak_words"]),
            float(s["weak_weight"]),
            {str(k): tuple(str(w) for w in v) for k, v in s["translations"].items()},
            frozenset(str(w) for w in s["function_words"]),
            tuple(str(w) for w in s["compound_suffixes"]),
            tuple(tuple(str(w) for w in p) for p in s["function_phrases"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # absent, or not what this code writes: parse again
        return None


def _write_memo(memo: Path, key: str, made: Search) -> None:
    body = {
        "key": key,
        "search": {
            "synonyms": made.synonyms,
            "weak_words": sorted(made.weak_words),
            "weak_weight": made.weak_weight,
            "translations": made.translations,
            "function_words": sorted(made.function_words),
            "compound_suffixes": list(made.compound_suffixes),
            "function_phrases": [list(p) for p in made.function_phrases],
        },
    }
    tmp = memo.with_name(f".{memo.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(body, ensure_ascii=False), "utf-8")  # in the file's order, as parsed
        os.replace(tmp, memo)
    except OSError:  # a read-only or full cache: the settings were made all the same
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return
    _prune(memo.parent)


def _prune(folder: Path) -> None:
    """Keep the ``MEMOS`` most recently written settings (one a settings path ever used) and no
    temporary file a killed process left an hour ago."""
    now = time.time()
    try:
        kept = sorted(folder.glob("search-*.json"), key=lambda f: f.stat().st_mtime_ns, reverse=True)
        stale = [f for f in folder.glob(".search-*.tmp") if now - f.stat().st_mtime > 3600]
    except OSError:  # another process pruned at the same time
        return
    for old in [*kept[MEMOS:], *stale]:
        with contextlib.suppress(OSError):
            old.unlink()


def _parse_search(found: Path, raw: bytes) -> Search:
    data, problems = read_toml(found, raw), []
    if "boosts" in data:
        problems.append(f"{found}: [boosts]: no longer read; field weights are search/index.py's classes (about/ranking/)")
    synonyms: dict[str, list[str]] = {}
    for key, value in (data.get("synonyms") or {}).items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{found}: [synonyms].{key}: must be a list of strings")
        else:
            synonyms[key.lower()] = [v.lower() for v in value]
    weak = (data.get("weak_words") or {}).get("words", [])
    if not isinstance(weak, list) or not all(isinstance(w, str) for w in weak):
        problems.append(f"{found}: [weak_words].words: must be a list of strings")
        weak = []
    weight = (data.get("weak_words") or {}).get("weight", Search.weak_weight)
    if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 <= weight <= 1:
        problems.append(f"{found}: [weak_words].weight: must be a number from 0 to 1")
        weight = Search.weak_weight
    table = data.get("translations") or {}
    if not isinstance(table, dict):
        problems.append(f"{found}: [translations]: must be a table of English words to lists of words")
        table = {}
    translations = _translations(table, found, problems)
    function = _word_list(data, "function_words", "words", "strings", lambda w: True, found, problems)
    suffixes = _word_list(
        data, "compounds", "suffixes", "letters-and-digits strings", lambda w: w.isascii() and w.isalnum(), found, problems
    )
    idioms = _word_list(data, "function_phrases", "phrases", "phrases of two words or more", _phrase, found, problems)
    if problems:
        raise ConfigError("; ".join(problems))
    from agentops_index.search import terms

    folded = frozenset(terms.unaccented(terms.fold(w)) for w in function)
    longest_first = tuple(sorted({w.lower() for w in suffixes}, key=lambda w: (-len(w), w)))
    phrases = tuple(dict.fromkeys(tuple(terms.unaccented(terms.fold(w)) for w in terms.runs(p)) for p in idioms))
    return Search(synonyms, frozenset(w.lower() for w in weak), float(weight), translations, folded, longest_first, phrases)


def _phrase(text: str) -> bool:
    """Two words or more, as a query is cut into words ("busca ." is one)."""
    from agentops_index.search import terms

    return len(terms.runs(text)) > 1


def _word_list(
    data: dict[str, Any], section: str, key: str, kind: str, fits: Callable[[str], bool], found: Path, problems: list[str]
) -> list[str]:
    """``[section]`` holding only ``key = [words]``: the words, or [] with the problem said (a
    misspelled key would turn the setting off without a word)."""
    table = data.get(section) or {}
    words = table.get(key, []) if isinstance(table, dict) else None
    if isinstance(table, dict) and set(table) - {key}:
        problems.append(f"{found}: [{section}]: unknown keys {sorted(set(table) - {key})}")
    if not isinstance(words, list) or not all(isinstance(w, str) and fits(w) for w in words):
        problems.append(f"{found}: [{section}].{key}: must be a list of {kind}")
        return []
    return words


def _translations(table: dict[str, Any], found: Path, problems: list[str]) -> dict[str, tuple[str, ...]]:
    """[translations]: English words = their words in other languages, turned around (a word of
    another language -> the English words); a word listed twice, not one word, or the English
    word itself (a query holding it would be read as another language's), is refused."""
    from agentops_index.search import terms

    out: dict[str, tuple[str, ...]] = {}
    for english, foreign in table.items():
        words = tuple(terms.words(english))
        if not words or not isinstance(foreign, list) or not all(isinstance(f, str) for f in foreign):
            problems.append(f"{found}: [translations].{english}: must be a list of strings")
            continue
        for form in foreign:
            folded = terms.fold(form)
            cjk = terms.is_cjk(folded)
            if terms.runs(folded) != [folded] or (cjk and len(folded) > terms.LONGEST_CJK):
                problems.append(f"{found}: [translations].{english}: {form!r} is not one word")
                continue
            key = folded if cjk else terms.unaccented(folded)
            if key in words:  # "éducation" is "education" once unaccented: an English word, never rewritten
                problems.append(f"{found}: [translations].{english}: {form!r} is the English word itself")
                continue
            if out.get(key, words) != words:
                problems.append(f"{found}: [translations].{english}: {form!r} already stands for {' '.join(out[key])!r}")
            out[key] = words
    return out


def published_site(path: Path | None = None) -> tuple[str, Path] | None:
    """The published catalog's site URL and the file that names it, or None when none is named.

    Only the copy installed with the package is read (``path`` in tests): a release names the
    site its nightly published. A checkout (its data/ folder) and the current folder are never
    asked, so a project's own data/catalog.toml cannot choose where the commands download from,
    and a developer's runs stay on the sample. The URL must be https (http only to loopback)
    without credentials; anything else is a ConfigError naming the file.
    """
    found = Path(path) if path is not None else PACKAGED / "catalog.toml"
    if not found.is_file():
        return None
    if found.stat().st_size > 64 * 1024:
        raise ConfigError(f"{found}: larger than 64 KB; it holds one URL")
    site = read_toml(found).get("site", "")
    if not isinstance(site, str):
        raise ConfigError(f"{found}: site: must be a string (the published catalog's URL)")
    site = site.strip()
    if not site:
        return None
    return check_site_url(site, str(found)), found


_SITE_URL = re.compile(r"^(https://[A-Za-z0-9.-]+|http://(?:127\.0\.0\.1|localhost))(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$")


def check_site_url(site: str, where: str) -> str:
    """``site`` as a catalog URL ending in "/", or a ConfigError naming ``where``: https with a
    plain host name (http only to loopback), no credentials, query or fragment."""
    if not _SITE_URL.match(site):
        raise ConfigError(f"{where}: site: {site[:100]!r} is not an https URL of a published site (no credentials)")
    return site if site.endswith("/") else site + "/"
