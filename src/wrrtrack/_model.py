"""The domain model: recommendations, their status history and the rules for changing it.

Pure data and rules: no files, no YAML, no terminal. Everything here can be built and
tested in memory.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from wrrtrack._errors import InvalidChange, UnknownRecommendation, UnknownTerm, public
from wrrtrack._vocabulary import Vocabularies

if TYPE_CHECKING:
    from pathlib import Path

    from wrrtrack._quotes import Quoted


# A web address in a registry (a reaction's or a source's `url`): http:// or https://, then
# no white space, control or invisible formatting character, which would leave the reports
# no link or a broken one (a space is written %20). One rule for the writers, `validate`
# and the JSON Schema, whose `pattern` this is: Python and ECMA-262 read it alike.
# (No `$`: Python's matches before a final line break; the lookahead refuses one anywhere.)
URL_PATTERN = (
    r"^(?![\s\S]*[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff])"
    r"[Hh][Tt][Tt][Pp][Ss]?://."
)


# The form of a key (of a report or a vocabulary term) and of an id (of a recommendation or
# a stored source): one rule for the writers, `validate` and the JSON Schema. Matched
# with `re`'s own cache: nothing is compiled when a command starts.
KEY_PATTERN = r"[a-z0-9][a-z0-9-]*"
ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"


def is_key(text: str) -> bool:
    """Whether `text` may be a key: lower-case letters, digits and '-', not '-' first."""
    return re.fullmatch(KEY_PATTERN, text) is not None


def is_id(text: str) -> bool:
    """Whether `text` may be an id: letters, digits, '.', '_' and '-', a letter or digit first."""
    return re.fullmatch(ID_PATTERN, text) is not None


def repeated(keys: Sequence[str]) -> str | None:
    """The first key that `keys` hold more than once (a record names each actor once)."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            return key
        seen.add(key)
    return None


def url_problem(url: str) -> str | None:
    """What is wrong with `url` as a web address in a registry (None: nothing)."""
    if not url.lower().startswith(("https://", "http://")):
        return "is not a web address (http:// or https://)"
    if re.search(URL_PATTERN, url) is None:  # as JSON Schema validators match
        return (
            "must go on after http(s):// and hold no spaces, line breaks or control "
            "characters (write a space as %20)"
        )
    return None


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
    # How the document bears on the advice: "response" (it presents itself as following
    # up this advice) or "related" (a development that bears on it without saying so);
    # None: not stated.
    relation: str | None = None


class Recommendation(NamedTuple):
    """One piece of advice, the cabinet's stance on it, who acts, and where it stands.

    A named tuple, as the other records are (see `_errors`): a frozen dataclass compiles
    six methods when this module is imported, which every command paid for at start-up,
    and a tuple is quicker to build from the cache. `rec._replace(status=…)` makes a
    changed copy.
    """

    id: str
    title: str
    theme: str
    stance: str
    actors: tuple[str, ...]
    status: str
    quotes: tuple[str, ...]
    history: tuple[StatusChange, ...]
    report: str = ""  # the key of the advisory report it belongs to
    due: date | None = None  # the deadline the government set itself
    review: date | None = None  # when the registry's keeper means to look again

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
        return self._replace(status=change.status, history=(*self.history, change))

    def repeats(self, change: StatusChange) -> bool:
        """Whether `change` is the newest history entry again (whoever records it): most
        likely a command run twice, as after a failure it did not see succeed."""
        newest = self.history[-1] if self.history else None
        return newest is not None and newest._replace(by=change.by) == change

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

    `excerpt` is True when the stored text holds passages of the document, not the whole
    of it: its fingerprint then proves those passages, not the page at `url`.
    """

    id: str
    file: str
    title: str | None = None
    publisher: str | None = None
    date: date | None = None
    kind: str | None = None  # samenvatting, kamerstuk, kamerbrief, adviesrapport, ...
    url: str | None = None
    sha256: str | None = None
    excerpt: bool = False


class Label(NamedTuple):
    """A name in both languages of the reports."""

    nl: str
    en: str


class Reaction(NamedTuple):
    """The government's reaction to the advice: where it was published and when.

    `label` names what kind of reaction it is, where "Kabinetsreactie" would read wrongly
    (a municipality's reaction to a Rekenkamer report); None: the cabinet's reaction.
    """

    reference: str
    date: date
    source: str  # the id of the stored source its quotes are checked against
    url: str | None = None  # where the reaction itself is published
    label: Label | None = None


class AdviceReport(NamedTuple):
    """An advisory report being tracked and the reaction the stances are taken from.

    `key` names it in the registry and on the command line (`wrr-103`); a file that gives
    none derives it from the publisher and the number (`derived_key`).
    """

    publisher: str
    number: str | None
    title: str
    date: date
    reaction: Reaction
    context: tuple[str, ...] = ()
    key: str = ""

    @property
    def name(self) -> str:
        number = f" {self.number}" if self.number else ""
        return f"{self.publisher}{number}: {self.title}"


def derived_key(publisher: str, number: str | None) -> str | None:
    """The key of a report that names none: its publisher and number as a lower-case slug
    (`WRR`, `103` give `wrr-103`); None when there is no number to tell reports apart."""
    if not number:
        return None
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", f"{publisher} {number}").encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", text.decode("ascii").lower()).strip("-")
    return slug or None


class StatusUpdate(NamedTuple):
    """What `Registry.set_status` changed: the recommendation before and after, and the
    file the entry was written in (None when not known)."""

    before: Recommendation
    after: Recommendation
    path: Path | None = None

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

    __slots__ = ("actors", "reports", "search", "stances", "statuses", "themes")
    actors: frozenset[str]
    reports: frozenset[str]
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
        *,
        reports: Keys = (),
    ) -> None:
        self.actors = _keys("actors", actors)
        self.reports = _keys("reports", reports)
        self.statuses = _keys("statuses", statuses)
        self.themes = _keys("themes", themes)
        self.stances = _keys("stances", stances)
        if search is not None and not isinstance(search, str):
            raise TypeError(f"Filter(search=...) takes a string, got {search!r}")
        self.search = search

    def _values(
        self,
    ) -> tuple[
        frozenset[str], frozenset[str], frozenset[str], frozenset[str], str | None, frozenset[str]
    ]:
        return (self.actors, self.statuses, self.themes, self.stances, self.search, self.reports)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = zip(
            self.__slots__,
            (self.actors, self.reports, self.search, self.stances, self.statuses, self.themes),
            strict=True,
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if value)
        return f"Filter({shown})"

    def resolved(self, vocabularies: Vocabularies, reports: Sequence[str] = ()) -> Filter:
        """The same filter in canonical keys; `UnknownTerm` names the first key not known.

        `reports` are the registry's report keys, which `reports` is matched against
        case-insensitively.
        """
        by_folded = {key.casefold(): key for key in reports}
        for given in self.reports:
            if given.strip().casefold() not in by_folded:
                raise UnknownTerm("report", given, list(reports))
        return Filter(
            reports={by_folded[given.strip().casefold()] for given in self.reports},
            actors={vocabularies.actors.resolve(key) for key in self.actors},
            statuses={vocabularies.statuses.resolve(key) for key in self.statuses},
            themes={vocabularies.themes.resolve(key) for key in self.themes},
            stances={vocabularies.stances.resolve(key) for key in self.stances},
            search=self.search,
        )

    def matches(self, rec: Recommendation) -> bool:
        return (
            (not self.reports or rec.report in self.reports)
            and (not self.actors or not self.actors.isdisjoint(rec.actors))
            and (not self.statuses or rec.status in self.statuses)
            and (not self.themes or rec.theme in self.themes)
            and (not self.stances or rec.stance in self.stances)
            and (not self.search or rec.text_matches(self.search))
        )


# Vocabulary keys that only some reports declare: section -> key -> the reports declaring it.
LocalTerms = Mapping[str, Mapping[str, frozenset[str]]]


class _LedgerFields(NamedTuple):
    reports: tuple[AdviceReport, ...]
    vocabularies: Vocabularies
    recommendations: tuple[Recommendation, ...]
    sources: tuple[Source, ...] = ()
    local: LocalTerms = MappingProxyType({})


class Ledger(_LedgerFields):
    """Everything a registry holds, as values: its reports, vocabularies and records.

    `vocabularies` holds every key of the registry (a key means the same in every report
    that declares it). `local` lists the keys that reports declare for themselves rather
    than for the whole registry: only those reports' records may use them.

    A named tuple of those five fields, as the records in it are (`ledger._replace(…)`
    makes a changed copy), with the index of its ids made on first use; a frozen dataclass
    compiled its methods at every start-up.
    """

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {rec.id.casefold(): i for i, rec in enumerate(self.recommendations)}

    @property
    def report(self) -> AdviceReport:
        """The first report (the only one of a single-report registry)."""
        if not self.reports:
            from wrrtrack._errors import WrrtrackError

            raise WrrtrackError("the registry holds no report yet; add one with 'reports add'")
        return self.reports[0]

    def report_of(self, key: str) -> AdviceReport:
        """The report with this key (case-insensitive), or `UnknownTerm` listing the keys."""
        folded = key.strip().casefold()
        for report in self.reports:
            if report.key.casefold() == folded:
                return report
        raise UnknownTerm("report", key, [report.key for report in self.reports])

    def only_report(self) -> AdviceReport:
        """The report a writer means when none is named: the registry's one report.
        With none or several, `InvalidChange` asks for the key (the argument `report`)."""
        if len(self.reports) == 1:
            return self.reports[0]
        if not self.reports:
            raise InvalidChange(
                "the registry holds no report yet; add one with 'reports add'", "report"
            )
        keys = ", ".join(report.key for report in self.reports)
        raise InvalidChange(
            f"the registry holds {len(self.reports)} reports; name one with {{field}} ({keys})",
            "report",
        )

    def vocabularies_of(self, report: str) -> Vocabularies:
        """The vocabularies a record of `report` may use: the registry's keys and the
        report's own, without the keys other reports declare for themselves."""
        if not self.local:
            return self.vocabularies
        hidden = {
            section: {key for key, owners in keys.items() if report not in owners}
            for section, keys in self.local.items()
        }
        return self.vocabularies._replace(
            **{
                section: self.vocabularies.by_section(section).without(keys)
                for section, keys in hidden.items()
                if keys
            }
        )

    def of_reports(self, keys: Iterable[str]) -> Ledger:
        """The same ledger with only the reports `keys` names, their records, and the
        stored sources those cite (their reactions' and their history's)."""
        wanted = set(keys)
        reports = tuple(r for r in self.reports if r.key in wanted)
        recs = tuple(rec for rec in self.recommendations if rec.report in wanted)
        cited = {r.reaction.source for r in reports}
        cited |= {change.source for rec in recs for change in rec.history if change.source}
        sources = tuple(s for s in self.sources if s.id in cited)
        return self._replace(reports=reports, recommendations=recs, sources=sources)

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
        """The source the first report's recommendations and context are quoted from (see
        `quote_source_of`)."""
        return self.quote_source_of(self.report)

    def quote_source_of(self, report: AdviceReport) -> Source:
        """The source `report`'s recommendations' quotes and its context come from.

        A report written before sources were records names a file as its
        `reaction.source`; the source is then that file, and nothing more is known of it.
        """
        found = self.source(report.reaction.source)
        return (
            found if found is not None else Source(report.reaction.source, report.reaction.source)
        )

    def citing(self, identifier: str) -> list[Quoted]:
        """Every quote checked against the source `identifier`, in registry order."""
        return [quote for quote in self.quoted() if quote.source == identifier]

    def quoted(self) -> list[Quoted]:
        """Every quote in the registry with what it claims to come from (places unknown
        here: see `Parsed.quote_places`)."""
        from wrrtrack._quotes import Quoted

        found = []
        reactions: dict[str, str | None] = {}
        for report in self.reports:
            reactions[report.key] = self.quote_source_of(report).id
            found += [
                Quoted("", i, q, None, reactions[report.key], report=report.key)
                for i, q in enumerate(report.context)
            ]
        for rec in self.recommendations:
            source = reactions.get(rec.report)
            found += [Quoted(rec.id, i, q, None, source) for i, q in enumerate(rec.quotes)]
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
        return self._replace(recommendations=tuple(recs))

    @property
    def as_of(self) -> date:
        """The newest history date: what a report is 'as of' unless told otherwise
        (`date.min` for a registry without reports: see `dated`)."""
        return self.dated or date.min

    @property
    def dated(self) -> date | None:
        """The newest history date, else the newest reaction's; None when the registry
        holds no report, and so nothing it could be 'as of'."""
        if self.recommendations:
            return max(rec.updated for rec in self.recommendations)
        return max((report.reaction.date for report in self.reports), default=None)

    def as_at(self, day: date) -> Ledger:
        """The registry as it stood at the end of `day`: later history entries left out, each
        status as it was then, and recommendations recorded only later left out."""
        recs = []
        for rec in self.recommendations:
            history = tuple(change for change in rec.history if change.date <= day)
            if history:
                recs.append(rec._replace(status=history[-1].status, history=history))
        return self._replace(recommendations=tuple(recs))

    def overdue(self, today: date) -> list[Recommendation]:
        """The recommendations whose deadline is before `today` and whose status is not
        final, in registry order."""
        return [rec for rec in self.recommendations if overdue(rec, self.vocabularies, today)]

    def stale(self, since: date) -> list[Recommendation]:
        """The recommendations with no history entry after `since` and a status that is
        not final, in registry order."""
        return [rec for rec in self.recommendations if stale(rec, self.vocabularies, since)]

    def changes_since(self, since: date) -> list[tuple[Recommendation, StatusChange]]:
        """History entries dated after `since`, oldest first, then in registry order."""
        found = [
            (rec, change)
            for rec in self.recommendations
            for change in rec.history
            if change.date > since
        ]
        return sorted(found, key=lambda pair: pair[1].date)


RELATIONS = ("response", "related")


def is_final(rec: Recommendation, vocabularies: Vocabularies) -> bool:
    """Whether `rec`'s status closes it (`uitgevoerd`, `afgewezen`, `vervallen`, or a term a
    registry declares `final: true`)."""
    return rec.status in vocabularies.statuses and vocabularies.statuses.term(rec.status).final


def overdue(rec: Recommendation, vocabularies: Vocabularies, today: date) -> bool:
    """Whether `rec`'s deadline has passed (due before `today`) and its status is not final."""
    return rec.due is not None and rec.due < today and not is_final(rec, vocabularies)


def stale(rec: Recommendation, vocabularies: Vocabularies, since: date) -> bool:
    """Whether `rec` has had no history entry after `since` and its status is not final."""
    return rec.updated <= since and not is_final(rec, vocabularies)


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


public(
    AdviceReport,
    Filter,
    Label,
    Ledger,
    Reaction,
    Recommendation,
    Source,
    StatusChange,
    StatusUpdate,
)
