"""Settings from data/*.toml: ranking weights, search synonyms and weak words, where data files live.

A data file is read from an explicit path, else ./data/<name> (a checkout), else the copy
shipped in the package. Every problem in a file is collected and reported in one error that
names the file and the key.
"""

from __future__ import annotations

import re
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


def data_file(name: str, explicit: Path | None = None) -> Path | None:
    """The file to read for ``name`` (e.g. "ranking.toml"), or None when there is none."""
    if explicit is not None:
        return Path(explicit)
    for candidate in (Path("data") / name, PACKAGED / name, CHECKOUT / name):
        if candidate.exists():
            return candidate
    return None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(Path(path).read_text("utf-8"))
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


def load_search(path: Path | None = None) -> Search:
    found = data_file("search.toml", path)
    if found is None:
        return Search()
    data, problems = read_toml(found), []
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
