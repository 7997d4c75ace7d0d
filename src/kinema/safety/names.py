"""Curated name lists, matched robustly: "Sp1der-Man", "s p i d e r m a n", "SPIDERMAN", "Spíder Man".

Four lists live in `data/names/`: public figures (→ the `likeness` category), and franchises and
characters, brands, living artists (→ `ip`). A name matches when a run of whole words in the text,
once both are *canonicalised*, spells it exactly:

- Unicode NFKC (full-width letters, ligatures), then accents stripped (NFKD, combining marks
  dropped), then lower case;
- leetspeak folded: 4/@ → a, 3 → e, 0 → o, 5/$ → s, 7 → t, 8 → b, 9 → g; and 1, !, | and l all
  become i, because leetspeak uses them for both letters (the names are folded the same way, so
  "Pikachu" and "p1kachu" and "pikachu" meet);
- split into words at anything that is not a letter or digit, so punctuation and spacing inside a
  name ("Spider-Man", "Spider Man", "S.p.i.d.e.r.m.a.n") disappear when the words are joined.

Whole words only: "combat mandate" never matches "Batman", because a match must start and end at
word boundaries. Names that are also ordinary words are kept out of the lists (see their headers).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NAMES_DIR = Path(__file__).resolve().parent / "data" / "names"

LISTS = {
    "public_figures.txt": ("likeness", "public figure"),
    "franchises.txt": ("ip", "copyrighted character or franchise"),
    "brands.txt": ("ip", "brand"),
    "living_artists.txt": ("ip", "living artist's style"),
}

_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "0": "o", "5": "s", "$": "s", "7": "t", "8": "b", "9": "g",
                       "1": "i", "!": "i", "|": "i", "l": "i"})
_WORD = re.compile(r"[a-z0-9]+")
MAX_NAME_WORDS = 12  # "s p i d e r m a n" is 9 words; a name spelled out letter by letter stays matchable


def canonical_words(text: str) -> list[str]:
    """The text folded as described above, as a list of words."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD.findall(text.lower().translate(_LEET))


@dataclass(frozen=True)
class NameHit:
    name: str
    """The name as the list spells it."""
    category: str
    """The policy category it falls under: likeness or ip."""
    kind: str
    """Which list: public figure, copyrighted character or franchise, brand, living artist's style."""
    text: str
    """The words of the prompt that matched, as written."""


class NameMatcher:
    def __init__(self, folder: Path = NAMES_DIR):
        self.entries: dict[str, tuple[str, str, str]] = {}  # joined canonical name → (name, category, kind)
        self.max_chars = 0
        for file, (category, kind) in LISTS.items():
            for line in (folder / file).read_text(encoding="utf-8").splitlines():
                name = line.strip()
                if not name or name.startswith("#"):
                    continue
                key = "".join(canonical_words(name))
                if len(key) < 3:
                    raise ValueError(f"{file}: name {name!r} is too short to match safely")
                self.entries.setdefault(key, (name, category, kind))
                self.max_chars = max(self.max_chars, len(key))

    def find(self, text: str) -> list[NameHit]:
        """Every listed name in `text` (longest match at each position, no overlaps)."""
        raw = [m for m in re.finditer(r"\w+", unicodedata.normalize("NFKC", text))]  # for reporting
        words = canonical_words(text)
        hits: list[NameHit] = []
        i = 0
        while i < len(words):
            joined, best = "", None
            for j in range(i, min(len(words), i + MAX_NAME_WORDS)):
                joined += words[j]
                if len(joined) > self.max_chars:
                    break
                if joined in self.entries:
                    best = (j, self.entries[joined])
            if best is None:
                i += 1
                continue
            j, (name, category, kind) = best
            shown = " ".join(m.group(0) for m in raw[i : j + 1]) if len(raw) == len(words) else name
            hits.append(NameHit(name, category, kind, shown))
            i = j + 1
        return hits


@lru_cache(maxsize=1)
def default_matcher() -> NameMatcher:
    return NameMatcher()


NEGATORS = ("no", "not", "without", "non", "zero", "never")
NEGATED_FILLERS = ("any", "visible", "graphic", "real", "actual", "explicit", "much")
"""A term right after a negator ("no gore"), or after a negator and one of these ("without any
gore"), is not there: the prompt says so."""
SAFE_CONTEXTS = ("prevention", "awareness", "hotline", "helpline", "helplines", "hotlines", "survivor", "survivors")
"""A term right before one of these ("suicide prevention", "child abuse awareness") names the fight
against it, not the thing."""


class TermList:
    """Words and phrases matched as whole words, with the same folding as the names.

    Each line is `term` or `category<TAB>term`; a term ending in `*` matches any word that begins
    with it ("decapitat*" finds "decapitated"), and a `*` may end any word of a phrase. An occurrence
    that is negated ("no gore", "without any gore") or that names the fight against the thing
    ("suicide prevention") does not count; another occurrence of the same term in the text still does.
    """

    def __init__(self, path: Path, extra: tuple[str, ...] = ()):
        self.terms: list[tuple[str, list[tuple[str, bool]]]] = []  # (category, [(word, is_prefix)])
        for line in [*path.read_text(encoding="utf-8").splitlines(), *extra]:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            category, _, term = line.rpartition("\t")
            words = []
            for raw in term.split():
                prefix = raw.endswith("*")
                folded = canonical_words(raw.rstrip("*"))
                words += [(w, False) for w in folded[:-1]] + [(folded[-1], prefix)]
            self.terms.append((category, words))

    def find(self, text: str) -> list[tuple[str, str]]:
        """(category, matched words) for every term found in `text`."""
        words = canonical_words(text)
        found = []
        for category, term in self.terms:
            n = len(term)
            for i in range(len(words) - n + 1):
                spelled = all(words[i + k].startswith(w) if prefix else words[i + k] == w for k, (w, prefix) in enumerate(term))
                if spelled and not _discounted(words, i, i + n):
                    found.append((category, " ".join(words[i : i + n])))
                    break
        return found


_NEGATORS = {w for t in NEGATORS for w in canonical_words(t)}
_FILLERS = {w for t in NEGATED_FILLERS for w in canonical_words(t)}
_SAFE_CONTEXTS = {w for t in SAFE_CONTEXTS for w in canonical_words(t)}


def _discounted(words: list[str], start: int, end: int) -> bool:
    """Whether the match words[start:end] is negated or names the fight against the thing."""
    before = words[max(0, start - 2) : start]
    negated = (len(before) >= 1 and before[-1] in _NEGATORS) or (len(before) == 2 and before[0] in _NEGATORS and before[1] in _FILLERS)
    return negated or (end < len(words) and words[end] in _SAFE_CONTEXTS)


@lru_cache(maxsize=1)
def default_terms() -> TermList:
    return TermList(NAMES_DIR.parent / "terms.txt")


NUMBER_WORDS = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def minor_ages() -> tuple[str, ...]:
    """Every way a prompt commonly gives an age under 18, as term-list lines: "12 year old", "twelve-
    year-olds", "12 yrs old", "12yo", "12 y/o", "aged 12", "a girl of about 8", "6 month old", "a fifth grader". Written
    out rather than listed by hand so that digits and number words, each spelling, stay complete."""
    lines = []
    for n in range(1, 18):
        for number in (str(n), NUMBER_WORDS[n]):
            lines += [f"{number} year* old*", f"{number} yr* old*", f"{number} month* old*", f"{number} yo", f"{number}yo",
                      f"{number} y o", f"aged {number}", f"of about {number}", f"around {number} years"]
    return tuple(lines + [f"{ordinal} grader*" for ordinal in ORDINALS])


@lru_cache(maxsize=1)
def minor_terms() -> TermList:
    """Words that put a minor in a scene: `data/minor_terms.txt` and every age under 18 (`minor_ages`)."""
    return TermList(NAMES_DIR.parent / "minor_terms.txt", minor_ages())


@lru_cache(maxsize=1)
def person_terms() -> TermList:
    """Words that put a person in a text: `data/person_terms.txt` (pronouns, people, the human body)."""
    return TermList(NAMES_DIR.parent / "person_terms.txt")


@lru_cache(maxsize=1)
def nonhuman_terms() -> TermList:
    """Subjects that are not people: `data/nonhuman_terms.txt` (animals, creatures, toys, robots)."""
    return TermList(NAMES_DIR.parent / "nonhuman_terms.txt")


def nonhuman_only(text: str) -> bool:
    """Whether every subject `text` names is an animal, creature or thing, and no person is in it:
    it names something from `nonhuman_terms` and nothing from `person_terms` or `minor_terms`.
    ("a wolf howling at the moon, feeling lonely" → True; "a girl and her dog" → False; a text
    naming neither → False, so that a self-harm request with no subject word is still read.)"""
    return bool(nonhuman_terms().find(text)) and not person_terms().find(text) and not minor_terms().find(text)


__all__ = ["NameHit", "NameMatcher", "TermList", "canonical_words", "default_matcher", "default_terms", "minor_terms",
           "nonhuman_only", "nonhuman_terms", "person_terms"]
