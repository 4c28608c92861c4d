"""The domain model: recommendations, their status history and the rules for changing it.

Pure data and rules: no files, no YAML, no terminal. Everything here can be built and
tested in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from wrrtrack._errors import InvalidChange, UnknownRecommendation
from wrrtrack._vocabulary import Vocabularies

if TYPE_CHECKING:
    from wrrtrack._quotes import Quoted


class StatusChange(NamedTuple):
    """One dated entry in a recommendation's history: the status from then on, and why.

    A named tuple rather than a dataclass: a large registry holds tens of thousands of
    these, and a tuple is several times quicker to build from the cache.
    """

    date: date
    status: str
    note: str | None = None
    by: str | None = None
    source: str | None = None  # a stored source's id, or free text for a source not stored
    quotes: tuple[str, ...] = ()  # verbatim from the stored source `source` names


@dataclass(frozen=True)
class Recommendation:
    """One piece of advice, the cabinet's stance on it, who acts, and where it stands."""

    id: str
    title: str
    theme: str
    stance: str
    actors: tuple[str, ...]
    status: str
    quotes: tuple[str, ...]
    history: tuple[StatusChange, ...]

    @property
    def updated(self) -> date:
        """The date of the newest history entry."""
        return self.history[-1].date

    def with_change(self, change: StatusChange) -> Recommendation:
        """This recommendation after `change`; refuses changes that would bend the history."""
        if change.date < self.updated:
            raise InvalidChange(
                f"{self.id}: the change is dated {change.date.isoformat()}, before the newest "
                f"history entry ({self.updated.isoformat()}); history is kept oldest first"
            )
        if change.status == self.status and not change.note:
            raise InvalidChange(
                f"{self.id} already has status '{self.status}'; "
                "add {field} to record a note without a change of status",
                "note",
            )
        return dataclasses.replace(self, status=change.status, history=(*self.history, change))

    def text_matches(self, needle: str) -> bool:
        """Search in title, quotes, history notes and the quotes of history entries,
        ignoring case and accents (see `fold`)."""
        folded = fold(needle)
        haystacks = [
            self.title,
            *self.quotes,
            *(c.note for c in self.history if c.note),
            *(quote for c in self.history for quote in c.quotes),
        ]
        return any(folded in fold(text) for text in haystacks)


class Source(NamedTuple):
    """A document that quotes are checked against: what it is, who published it, where it
    is published, and the stored copy of its text with that copy's SHA-256.

    `file` is relative to the registry's directory. A registry written before sources were
    records names only a file; the other facts are then unknown (None) and nothing claims
    more than that file.
    """

    id: str
    file: str
    title: str | None = None
    publisher: str | None = None
    date: date | None = None
    kind: str | None = None  # samenvatting, kamerstuk, kamerbrief, adviesrapport, ...
    url: str | None = None
    sha256: str | None = None


class Reaction(NamedTuple):
    """The government's reaction to the advice: where it was published and when."""

    reference: str
    date: date
    source: str  # the id of the stored source its quotes are checked against
    url: str | None = None  # where the reaction itself is published


class AdviceReport(NamedTuple):
    """The advisory report being tracked and the reaction the stances are taken from."""

    publisher: str
    number: str
    title: str
    date: date
    reaction: Reaction
    context: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.publisher} {self.number}: {self.title}"


class StatusUpdate(NamedTuple):
    """What `Registry.set_status` changed: the recommendation before and after."""

    before: Recommendation
    after: Recommendation

    @property
    def change(self) -> StatusChange:
        """The history entry that was added."""
        return self.after.history[-1]


Keys = Iterable[str] | str


def _keys(field: str, given: Keys) -> frozenset[str]:
    # One key may be given as a string; a string is never taken as a set of characters.
    keys = frozenset((given,)) if isinstance(given, str) else frozenset(given)
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(f"Filter({field}=...) takes keys as strings, got {key!r}")
    return keys


class Filter:
    """Which recommendations to show: OR within one field, AND between fields.

    Each field takes keys: a set, list or tuple of them, or one key as a string (never
    read as a set of characters). `Registry.select` accepts any spelling a vocabulary
    accepts (`municipalities` for `gemeente`); `Ledger.select` expects canonical keys
    (see `resolved`).
    """

    __slots__ = ("actors", "search", "stances", "statuses", "themes")
    actors: frozenset[str]
    statuses: frozenset[str]
    themes: frozenset[str]
    stances: frozenset[str]
    search: str | None

    def __init__(
        self,
        actors: Keys = (),
        statuses: Keys = (),
        themes: Keys = (),
        stances: Keys = (),
        search: str | None = None,
    ) -> None:
        self.actors = _keys("actors", actors)
        self.statuses = _keys("statuses", statuses)
        self.themes = _keys("themes", themes)
        self.stances = _keys("stances", stances)
        if search is not None and not isinstance(search, str):
            raise TypeError(f"Filter(search=...) takes a string, got {search!r}")
        self.search = search

    def _values(
        self,
    ) -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str], str | None]:
        return (self.actors, self.statuses, self.themes, self.stances, self.search)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = zip(
            self.__slots__,
            (self.actors, self.search, self.stances, self.statuses, self.themes),
            strict=True,
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if value)
        return f"Filter({shown})"

    def resolved(self, vocabularies: Vocabularies) -> Filter:
        """The same filter in canonical keys; `UnknownTerm` names the first key not known."""
        return Filter(
            actors={vocabularies.actors.resolve(key) for key in self.actors},
            statuses={vocabularies.statuses.resolve(key) for key in self.statuses},
            themes={vocabularies.themes.resolve(key) for key in self.themes},
            stances={vocabularies.stances.resolve(key) for key in self.stances},
            search=self.search,
        )

    def matches(self, rec: Recommendation) -> bool:
        return (
            (not self.actors or not self.actors.isdisjoint(rec.actors))
            and (not self.statuses or rec.status in self.statuses)
            and (not self.themes or rec.theme in self.themes)
            and (not self.stances or rec.stance in self.stances)
            and (not self.search or rec.text_matches(self.search))
        )


@dataclass(frozen=True)
class Ledger:
    """Everything a registry file holds, as values."""

    report: AdviceReport
    vocabularies: Vocabularies
    recommendations: tuple[Recommendation, ...]
    sources: tuple[Source, ...] = ()
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {rec.id.casefold(): i for i, rec in enumerate(self.recommendations)}
        object.__setattr__(self, "_index", index)

    def get(self, identifier: str) -> Recommendation:
        """The recommendation with this id (case-insensitive), or a did-you-mean error."""
        position = self._index.get(identifier.strip().casefold())
        if position is None:
            ids = [rec.id for rec in self.recommendations]
            import difflib  # only on the way to an error message

            raise UnknownRecommendation(identifier, difflib.get_close_matches(identifier, ids, n=1))
        return self.recommendations[position]

    def select(self, where: Filter) -> list[Recommendation]:
        return [rec for rec in self.recommendations if where.matches(rec)]

    def source(self, identifier: str | None) -> Source | None:
        """The stored source with this id, or None (free text, or no source named)."""
        return next((s for s in self.sources if s.id == identifier), None)

    @property
    def quote_source(self) -> Source:
        """The source the recommendations' quotes and the report's context come from.

        A registry without source records names a file as `report.reaction.source`; the
        source is then that file, and nothing more is known of it.
        """
        reaction = self.report.reaction
        found = self.source(reaction.source)
        return found if found is not None else Source(reaction.source, reaction.source)

    def citing(self, identifier: str) -> list[Quoted]:
        """Every quote checked against the source `identifier`, in registry order."""
        return [quote for quote in self.quoted() if quote.source == identifier]

    def quoted(self) -> list[Quoted]:
        """Every quote in the registry with what it claims to come from (places unknown
        here: see `Parsed.quote_places`)."""
        from wrrtrack._quotes import Quoted

        reaction = self.quote_source.id
        found = [Quoted("", i, q, None, reaction) for i, q in enumerate(self.report.context)]
        for rec in self.recommendations:
            found += [Quoted(rec.id, i, q, None, reaction) for i, q in enumerate(rec.quotes)]
            found += [
                Quoted(rec.id, j, q, None, change.source, entry)
                for entry, change in enumerate(rec.history)
                for j, q in enumerate(change.quotes)
            ]
        return found

    def replace(self, rec: Recommendation) -> Ledger:
        position = self._index[rec.id.casefold()]
        recs = list(self.recommendations)
        recs[position] = rec
        return dataclasses.replace(self, recommendations=tuple(recs))

    @property
    def as_of(self) -> date:
        """The newest history date: what a report is 'as of' unless told otherwise."""
        return max((rec.updated for rec in self.recommendations), default=self.report.reaction.date)

    def as_at(self, day: date) -> Ledger:
        """The registry as it stood at the end of `day`: later history entries left out, each
        status as it was then, and recommendations recorded only later left out."""
        recs = []
        for rec in self.recommendations:
            history = tuple(change for change in rec.history if change.date <= day)
            if history:
                recs.append(dataclasses.replace(rec, status=history[-1].status, history=history))
        return dataclasses.replace(self, recommendations=tuple(recs))

    def changes_since(self, since: date) -> list[tuple[Recommendation, StatusChange]]:
        """History entries dated after `since`, oldest first, then in registry order."""
        found = [
            (rec, change)
            for rec in self.recommendations
            for change in rec.history
            if change.date > since
        ]
        return sorted(found, key=lambda pair: pair[1].date)


def fold(text: str) -> str:
    """`text` for matching as a person means it: case and diacritics dropped.

    `financiele` then finds `financiële` and `Cafe` finds `café`: NFKD splits each letter
    from its accents (and ligatures such as `ﬁ` into letters), the combining marks are
    dropped, and the rest is case-folded.
    """
    if text.isascii():
        return text.casefold()  # the common case, without the decomposition
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def count_by(keys: Sequence[str], values: Iterable[str]) -> dict[str, int]:
    """How often each key occurs, every key present, in vocabulary order."""
    counts = dict.fromkeys(keys, 0)
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
