"""Words, stems and name keys: how plugin text and queries are cut into terms.

One tokenizer serves the Whoosh index, the query store and the relevance computation, and
``templates/static/search.js`` mirrors it for the browser (a test runs both on the same words):

- text is NFKC-normalized and lower-cased, then cut into runs of letters and digits;
- a run of Chinese, Japanese or Korean characters (written without spaces) becomes its
  character bigrams, so a query of two characters finds them inside a longer phrase;
- Latin words are reduced by the Porter stemmer (the one Whoosh ships), so ``requests``
  finds ``request``; stop words are dropped;
- a *name key* is a name's letters and digits alone, so ``pr review toolkit``,
  ``pr-review-toolkit`` and ``PRReviewToolkit`` are one key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

from agentops_index.search.stemming import STOP_WORDS as WHOOSH_STOP_WORDS
from agentops_index.search.stemming import stem as porter_stem

# Whoosh's English stop words, plus the words people wrap a request in ("I want to ...").
STOP_WORDS = WHOOSH_STOP_WORDS | frozenset(
    [
        "could",
        "do",
        "does",
        "how",
        "i",
        "into",
        "just",
        "like",
        "me",
        "my",
        "need",
        "onto",
        "our",
        "please",
        "should",
        "so",
        "some",
        "something",
        "use",
        "using",
        "via",
        "want",
        "would",
    ]
)
# Plain English words that say nothing of what a plugin does (related plugins, intents).
PLAIN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "use",
        "used",
        "uses",
        "using",
        "when",
        "with",
        "your",
        "you",
        "can",
        "will",
        "all",
        "any",
        "not",
        "but",
        "more",
        "than",
        "then",
        "them",
        "they",
        "their",
        "there",
        "these",
        "those",
        "what",
        "which",
        "who",
        "plugin",
        "plugins",
        "claude",
        "code",
        "skill",
        "skills",
        "command",
        "commands",
        "agent",
        "agents",
        "tool",
        "tools",
        "helps",
        "help",
    ]
)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|(?:(?![{_CJK}])[^\W_])+")
_CJK_RUN = re.compile(rf"[{_CJK}]")
_HUMP = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z0-9]+")
_INNER_CAPITAL = re.compile(r"[a-z0-9][A-Z]|[A-Z]{2}[a-z]")
_LATIN = re.compile(r"[a-z]+")


# Languages whose names are a letter and a symbol, which runs of letters would cut to "c" or
# "net": a query for "c#" found the plugins for C. Each is read as one word ("C++20" as cpp 20;
# rank.js has the same, without a lookbehind, which older Safari cannot parse).
_SYMBOL = re.compile(
    r"(^|[^A-Za-z0-9_.#+])(c\+\+(?![A-Za-z_+])|[cf]#(?![A-Za-z_#])|\.net(?![A-Za-z_]))", re.IGNORECASE | re.ASCII
)
SYMBOL_WORDS = {"c++": "cpp", "c#": "csharp", "f#": "fsharp", ".net": "dotnet"}


def symbols(text: str) -> str:
    """``text`` with C++, C#, F# and .NET written as the words cpp, csharp, fsharp and dotnet."""
    if "#" not in text and "+" not in text and "." not in text:
        return text
    return _SYMBOL.sub(lambda m: f"{m.group(1)} {SYMBOL_WORDS[m.group(2).lower()]} ", text)


def fold(text: str) -> str:
    """NFKC, then lower case (not casefold: JavaScript has no casefold, and the browser must agree)."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """The letter-and-digit runs of ``text``, folded; CJK runs are kept whole."""
    return _RUN.findall(symbols(fold(text)))


def cased_runs(text: str) -> list[str]:
    """The runs of ``text`` before case folding (to see CamelCase)."""
    return _RUN.findall(symbols(unicodedata.normalize("NFKC", text)))


def without_idioms(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    """``words`` (as typed) without those inside one of ``phrases`` (folded, unaccented words):
    "revisar el código en busca de errores" is about code and errors, not a code search."""
    plain = [unaccented(fold(w)) for w in words]
    dropped: set[int] = set()
    for phrase in phrases:
        size = len(phrase)
        for start in range(len(plain) - size + 1):
            if tuple(plain[start : start + size]) == phrase:
                dropped.update(range(start, start + size))
    return [w for i, w in enumerate(words) if i not in dropped]


# Porter cuts some words down to another word of this domain ("accessibility" to "access", as in
# access tokens; "localization" to "local"): these keep a stem of their own (rank.js has the same).
STEM_OVERRIDES = {
    "accessibility": "accessibl",
    "accessible": "accessibl",
    "inaccessible": "accessibl",
    "localization": "localiz",
    "localizations": "localiz",
    "localisation": "localiz",
    "localize": "localiz",
    "localise": "localiz",
    "localized": "localiz",
    "localised": "localiz",
    "localizing": "localiz",
    "localising": "localiz",
    "organization": "organiz",
    "organizations": "organiz",
    "organisation": "organiz",
    "organisations": "organiz",
    "experiment": "experiment",
    "experiments": "experiment",
    "experimental": "experiment",
    "experimenting": "experiment",
    "experience": "experienc",
    "experiences": "experienc",
    "localizes": "localiz",
    "localises": "localiz",
    "localizer": "localiz",
    "localizers": "localiz",
    "localiser": "localiz",
    "organize": "organiz",
    "organise": "organiz",
    "organized": "organiz",
    "organised": "organiz",
    "organizes": "organiz",
    "organises": "organiz",
    "organizing": "organiz",
    "organising": "organiz",
    "organizer": "organiz",
    "organizers": "organiz",
    "organiser": "organiz",
    "experimented": "experiment",
    "experimentation": "experiment",
    "experienced": "experienc",
    # Porter proper cuts "added" to "ad" and "embed" (as if a past tense) to "emb".
    "added": "add",
    "adding": "add",
    "embed": "embed",
    "embeds": "embed",
}


_DOUBLED = re.compile(r"([^aeiouylszf])\1$")
_HAS_VOWEL = re.compile(r"^[^aeiouy]*[aeiouy]")


def _step1b_base(word: str) -> str | None:
    """What Porter's step 1b leaves of ``word`` once it drops "ed" or "ing" (after step 1a's
    plural), or None when it drops neither."""
    if word.endswith(("sses", "ies")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if word.endswith("eed"):
        return None
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and _HAS_VOWEL.match(word[: -len(suffix)]):
            return word[: -len(suffix)]
    return None


def porter(word: str) -> str:
    """Whoosh's Porter stemmer with its step 1b as Porter wrote it. Whoosh tests step 1b's endings
    with ``re.match``, anchored at the start of the word, so "planning" stayed "plann" (not "plan"),
    "embedding" "embedd" and "optimizing" "optimiz" (not "optim", as "optimize"): a plugin that says
    "debugging" never matched "debug". A doubled last consonant (not l, s or z) loses one letter,
    which no later step would have touched; a stem ending at, bl or iz gets its "e" back and goes
    through the later steps as that word would (rank.js does the same). Beyond Porter: "ff" stays
    ("diffing" is "diff"), and a doubled consonant left by dropping -er goes too ("debugger" is
    "debug", "formatter" "format", as their -ing forms)."""
    base = _step1b_base(word)
    if base is not None and base.endswith(("at", "bl", "iz")):
        return str(porter_stem(base + "e"))
    out = str(porter_stem(word))
    if (out == base or word in (out + "er", out + "ers")) and _DOUBLED.search(out):
        return out[:-1]
    return out


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word in STEM_OVERRIDES:
        return STEM_OVERRIDES[word]
    return porter(word) if _LATIN.fullmatch(word) and len(word) > 3 else word


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str, stop: frozenset[str] = STOP_WORDS) -> list[str]:
    """Index and query terms of ``text``, in order, repeats kept."""
    out: list[str] = []
    for run in runs(text):
        if _CJK_RUN.match(run):
            out.extend(_bigrams(run))
        elif run not in stop:
            out.append(stem(run))
    return out


def is_cjk(word: str) -> bool:
    """Whether ``word`` is a run of Chinese, Japanese or Korean letters."""
    return bool(_CJK_RUN.match(word))


def unaccented(word: str) -> str:
    """``word`` without its accents (``auditoría`` -> ``auditoria``); rank.js does the same."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


LONGEST_CJK = 12  # letters: the longest Chinese, Japanese or Korean word a translation table may hold


INFLECTIONS = ("en", "n", "es", "s", "e")  # endings a table word may carry in a query: plurals, German -n/-en
UNINFLECTED = 5  # letters: the shortest table word an ending is taken from


def translation(word: str, table: Mapping[str, tuple[str, ...]], known: Callable[[str], bool] | None = None) -> list[str]:
    """The English words for a query word of another language, [] when the table has none.

    A word in Latin or Cyrillic letters is looked up whole, accents ignored. A run of Chinese,
    Japanese or Korean letters (written without spaces) is read left to right, longest entry
    first (``代码审查`` -> ``code review``); an entry of one letter counts only as the whole run.
    A compound of two entries (German writes them as one word: ``fehlerprotokolle`` =
    ``fehler`` + ``protokolle``, with a joining ``s`` or not) gives both entries' words. Given
    ``known`` (whether the index knows a word), a word the index does not know is also looked
    up without a plural or case ending (``sicherheitslücken`` is ``sicherheitslücke``): a word
    plugins say (``strategies``, not ``strategie``) stays English.
    """
    if not is_cjk(word):
        plain = unaccented(word)
        found = table.get(plain)
        if found is not None:
            return list(found)
        both = _two_entries(plain, table)
        if both or known is None:
            return both
        for ending in INFLECTIONS:
            bare = plain[: -len(ending)]
            if not plain.endswith(ending) or len(bare) < UNINFLECTED:
                continue
            words = list(table[bare]) if bare in table else _two_entries(bare, table)  # "sicherheitsprüfungen"
            if words:
                return [] if known(word) else words
        return []
    if word in table:
        return list(table[word])
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(LONGEST_CJK, len(word) - i), 1, -1):
            english = table.get(word[i : i + size])
            if english is not None:
                out.extend(english)
                i += size
                break
        else:
            i += 1
    return out


COMPOUND_PART = 4  # letters: the shortest part of a compound ``translation`` splits


def _two_entries(word: str, table: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The English words of a compound of two table entries, the longest first part first; []."""
    for cut in range(len(word) - COMPOUND_PART, COMPOUND_PART - 1, -1):
        head, tail = word[:cut], word[cut:]
        tail_words = table.get(tail)
        if tail_words is None:
            continue
        head_words = table.get(head)
        if head_words is None and head.endswith("s") and len(head) > COMPOUND_PART:
            head_words = table.get(head[:-1])  # the joining s: "sicherheits" + "prüfung"
        if head_words is not None:
            return [*head_words, *tail_words]
    return []


def compound_base(word: str, suffixes: tuple[str, ...]) -> str | None:
    """``vuejs`` -> ``vue``, ``tailwindcss`` -> ``tailwind``: a package-style name's base, the word
    before one of ``suffixes`` (data/search.toml [compounds]), when three letters or more remain.
    A query searches it instead of a word no plugin says, when a plugin is named so."""
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word.isascii() and word.isalpha():
            return word[: -len(suffix)]
    return None


def humps(word: str) -> list[str]:
    """``PRReviewToolkit`` -> ``pr review toolkit``; a word without an inner capital stays whole
    (``k8s``, ``a11y``, ``Github``)."""
    if not _INNER_CAPITAL.search(word):
        return [word]
    parts = _HUMP.findall(word)
    return [p.lower() for p in parts] if len(parts) > 1 and "".join(parts) == word else [word]


def split_humps(text: str) -> str:
    """``text`` with every CamelCase word written as separate words."""
    return re.sub(r"[A-Za-z0-9]+", lambda m: " ".join(humps(m.group(0))), text)


def name_words(name: str) -> list[str]:
    """The words of a name, CamelCase split: ``PR-ReviewToolkit`` -> ``pr review toolkit``."""
    return runs(split_humps(name))


def aligned_prefix(query_key: str, name: str, least: int = 3) -> bool:
    """Whether ``query_key`` is the start of ``name`` cut at its words: whole words, then the first
    ``least`` letters or more of the next (``frontend-des`` starts ``frontend-design``; ``prd``
    does not start ``pr-describer``)."""
    done = ""
    for word in name_words(name):
        rest = query_key[len(done) :]
        if not query_key.startswith(done) or not rest:
            return False
        if word.startswith(rest) and (len(rest) >= least or rest == word):
            return True
        done += word
    return False


def key(text: str) -> str:
    """A name key: letters and digits only, folded (``PR Review-Toolkit`` -> ``prreviewtoolkit``)."""
    return "".join(runs(text))


def words(text: str) -> list[str]:
    """The plain words of ``text`` (folded runs, CJK runs split into bigrams, no stemming)."""
    out: list[str] = []
    for run in runs(text):
        out.extend(_bigrams(run) if _CJK_RUN.match(run) else [run])
    return out
