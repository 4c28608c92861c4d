"""Vocabularies: the keys a registry may use, with Dutch and English labels.

The built-in defaults below are data, not code: help texts, option validation, the schema
check and every renderer read them from here (or from a registry that extends them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from wrrtrack._errors import UnknownTerm, public

Language = Literal["nl", "en"]


class Term(NamedTuple):
    """One key of a vocabulary, with its labels and the other spellings accepted as input."""

    key: str
    nl: str
    en: str
    aliases: tuple[str, ...] = ()
    final: bool = False  # a status that closes an item: not overdue, never stale

    def label(self, lang: Language) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of terms; order is the order of display (status columns, summaries)."""

    name: str
    terms: tuple[Term, ...]
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        # Keys first, then aliases, then English labels: a key is always reachable.
        for term in self.terms:
            lookup.setdefault(term.key.casefold(), term.key)
        for term in self.terms:
            for alias in term.aliases:
                lookup.setdefault(alias.casefold(), term.key)
        for term in self.terms:
            lookup.setdefault(term.en.casefold(), term.key)
        object.__setattr__(self, "_lookup", lookup)
        # A term by its key in one step: labels are looked up once per cell of a table.
        by_key: dict[str, Term] = {}
        for term in self.terms:
            by_key.setdefault(term.key, term)
        object.__setattr__(self, "_by_key", by_key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._by_key

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    @property
    def keys(self) -> list[str]:
        return [term.key for term in self.terms]

    def term(self, key: str) -> Term:
        found = self._by_key.get(key)
        if found is None:
            raise UnknownTerm(self.name, key, self.keys)
        return found

    def label(self, key: str, lang: Language) -> str:
        return self.term(key).label(lang)

    def resolve(self, given: str) -> str:
        """The canonical key for user input: case-insensitive, English alias accepted."""
        key = self._lookup.get(given.strip().casefold())
        if key is None:
            raise UnknownTerm(self.name, given, self.choices())
        return key

    def suggest(self, given: str) -> str | None:
        """The canonical key a misspelling most likely meant, for did-you-mean hints."""
        try:
            return self.resolve(given)
        except UnknownTerm:
            import difflib  # only on the way to an error message

            close = difflib.get_close_matches(given.casefold(), list(self._lookup), n=1)
            return self._lookup[close[0]] if close else None

    def choices(self) -> list[str]:
        """Keys with the English spelling also accepted, as shown in help and usage errors."""
        return [f"{t.key} ({t.aliases[0]})" if t.aliases else t.key for t in self.terms]

    def without(self, keys: Iterable[str]) -> Vocabulary:
        """This vocabulary without the terms `keys` names."""
        dropped = set(keys)
        return Vocabulary(self.name, tuple(t for t in self.terms if t.key not in dropped))

    def extended(self, extra: Iterable[Term]) -> Vocabulary:
        """This vocabulary with terms added or relabelled by a registry's configuration."""
        merged = {term.key: term for term in self.terms}
        for term in extra:
            merged[term.key] = term
        return Vocabulary(self.name, tuple(merged.values()))


# Only the actors any advisory report shares are built in; a report names its own (WRR 103
# declares the ACVZ and the next cabinet in the shipped registry). English speakers type
# 'municipality' or 'government': accept those spellings too.
ACTORS = Vocabulary(
    "actor",
    (
        Term("rijk", "Rijk", "national government", ("national-government", "government")),
        Term("gemeente", "gemeenten", "municipalities", ("municipalities", "municipality")),
    ),
)

STANCES = Vocabulary(
    "stance",
    (
        Term("onderschreven", "onderschreven", "endorsed", ("endorsed",)),
        Term(
            "eens-met-voorbehoud",
            "eens, met voorbehoud",
            "agreed with reservations",
            ("agreed-with-reservations",),
        ),
        Term("positief", "positief ontvangen", "welcomed", ("welcomed",)),
        Term("toegezegd", "toegezegd", "committed", ("committed",)),
        Term(
            "doorverwezen",
            "doorverwezen naar volgend kabinet",
            "left to next cabinet",
            ("left-to-next-cabinet",),
        ),
        Term("afgewezen", "afgewezen", "rejected", ("rejected",)),
        Term("geen-reactie", "geen reactie", "no response", ("no-response",)),
    ),
)

STATUSES = Vocabulary(
    "status",
    (
        Term("open", "open", "open"),
        Term("in-verkenning", "in verkenning", "exploring", ("exploring",)),
        Term("in-uitvoering", "in uitvoering", "in progress", ("in-progress",)),
        Term("uitgevoerd", "uitgevoerd", "implemented", ("implemented",), final=True),
        Term("doorgeschoven", "doorgeschoven", "deferred", ("deferred",)),
        Term("afgewezen", "afgewezen", "rejected", ("rejected",), final=True),
        Term("vervallen", "vervallen", "lapsed", ("lapsed",), final=True),
    ),
)

# What kind of document a stored source is. Not a registry vocabulary (a registry may name
# any kind); these are the labels renderers use for the kinds they know.
SOURCE_KINDS = Vocabulary(
    "source kind",
    (
        Term("samenvatting", "samenvatting", "summary"),
        Term("kamerstuk", "Kamerstuk", "parliamentary paper"),
        Term("kamerbrief", "Kamerbrief", "letter to parliament"),
        Term("adviesrapport", "adviesrapport", "advisory report"),
        Term("nieuwsbericht", "nieuwsbericht", "news item"),
        Term("rapport", "rapport", "report"),
    ),
)

# Themes belong to the advice being tracked, so there are no built-in ones: a registry
# declares its own.
THEMES = Vocabulary("theme", ())

DEFAULTS: Mapping[str, Vocabulary] = {
    "themes": THEMES,
    "actors": ACTORS,
    "stances": STANCES,
    "statuses": STATUSES,
}


# The sections of a registry's `vocabularies`, in the order `wrrtrack vocab` lists them.
SECTIONS = ("actors", "stances", "statuses", "themes")


def is_builtin(section: str, term: Term) -> bool:
    """Whether `term` is built in as shipped, rather than added or relabelled by a registry."""
    return term in DEFAULTS[section].terms


class Vocabularies(NamedTuple):
    """The four vocabularies in force for one registry."""

    themes: Vocabulary = THEMES
    actors: Vocabulary = ACTORS
    stances: Vocabulary = STANCES
    statuses: Vocabulary = STATUSES

    def by_section(self, section: str) -> Vocabulary:
        vocabulary: Vocabulary = getattr(self, section)
        return vocabulary


public(Term, Vocabularies, Vocabulary)
