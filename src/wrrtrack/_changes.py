"""What a registry records as changed between two points: a comparison of two `Ledger`s by
record id, or the history entries dated between two days. Pure values, no files, no git.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal, NamedTuple

from wrrtrack._errors import public
from wrrtrack._model import AdviceReport, Ledger, Recommendation, Source, StatusChange

Kind = Literal["added", "removed", "edited", "refingerprinted"]

# The fields compared, in the order they are named; `status` and `history` are named only
# when the history was not merely extended (a status change is a history entry added).
RECOMMENDATION_FIELDS = (
    "title", "theme", "stance", "actors", "quotes", "report", "due", "review",
)  # fmt: skip
SOURCE_FIELDS = ("file", "title", "publisher", "date", "kind", "url", "sha256", "excerpt")
REPORT_FIELDS = ("publisher", "number", "title", "date", "reaction", "context")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_date(point: str | date | None) -> date | None:
    """The day `point` names, when it is shaped as a date (`YYYY-MM-DD`); else None: such a
    point is a revision. `ValueError` for a point so shaped that names no real day
    (`2025-02-30`): it is a date given wrong, not a revision."""
    if isinstance(point, date):
        return point
    if point is None or not _ISO_DATE.fullmatch(point):
        return None
    return date.fromisoformat(point)


class RecordChange(NamedTuple):
    """A recommendation added, removed or edited (`fields` names what differs)."""

    kind: Kind
    before: Recommendation | None
    after: Recommendation | None
    fields: tuple[str, ...] = ()

    @property
    def record(self) -> Recommendation:
        """The recommendation as it is after the change (as it was, when removed)."""
        found = self.after or self.before
        assert found is not None  # noqa: S101 (one of them is always given)
        return found


class EntryAdded(NamedTuple):
    """A history entry added to (or, by date, recorded for) a recommendation, with the
    status the recommendation had before it (None: the entry is its first)."""

    record: Recommendation
    status_before: str | None
    entry: StatusChange


class SourceChange(NamedTuple):
    """A stored source added, removed, re-fingerprinted (its sha256 changed) or edited."""

    kind: Kind
    before: Source | None
    after: Source | None
    fields: tuple[str, ...] = ()

    @property
    def source(self) -> Source:
        found = self.after or self.before
        assert found is not None  # noqa: S101 (one of them is always given)
        return found


class ReportChange(NamedTuple):
    """An advisory report added, removed or edited."""

    kind: Kind
    before: AdviceReport | None
    after: AdviceReport | None
    fields: tuple[str, ...] = ()

    @property
    def report(self) -> AdviceReport:
        found = self.after or self.before
        assert found is not None  # noqa: S101 (one of them is always given)
        return found


class RegistryChanges(NamedTuple):
    """What changed between `since` and `until` (each as given: a date, a revision, or
    None for the registry as it is on disk).

    Between two days (`by_date`) only `history` is filled: the entries dated after `since`
    up to and including `until`. Between two revisions, every list: records by id.
    `commits` holds the commit each revision named (None for a date or the working tree).
    `new`: the registry was not in the commit `since` named (it is new since then), so
    everything in it is listed as added. `ledger`: the registry at `until`, whose stored
    sources the history entries cite (None only for changes made by hand).
    """

    since: str | None
    until: str | None
    by_date: bool
    recommendations: tuple[RecordChange, ...] = ()
    history: tuple[EntryAdded, ...] = ()
    sources: tuple[SourceChange, ...] = ()
    reports: tuple[ReportChange, ...] = ()
    commits: tuple[str | None, str | None] = (None, None)
    new: bool = False
    ledger: Ledger | None = None

    def __bool__(self) -> bool:
        return bool(self.recommendations or self.history or self.sources or self.reports)


def _differing(before: NamedTuple, after: NamedTuple, fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for name in fields if getattr(before, name) != getattr(after, name))


def _entries_added(
    before: Recommendation | None, after: Recommendation
) -> tuple[list[EntryAdded], bool]:
    """The entries of `after`'s history not in `before`'s (each as often as it is added),
    and whether `before`'s history is a prefix of `after`'s (merely extended)."""
    old = Counter(before.history if before else ())
    added = []
    for position, entry in enumerate(after.history):
        if old[entry]:
            old[entry] -= 1
            continue
        previous = after.history[position - 1].status if position else None
        added.append(EntryAdded(after, previous, entry))
    extended = before is None or after.history[: len(before.history)] == before.history
    return added, extended


def compare(before: Ledger, after: Ledger) -> RegistryChanges:
    """What changed from `before` to `after`, record by record (matched by id, not text).

    A recommendation whose history was only extended is not `edited`: its new entries are
    in `history` (status before and after). One added is listed once, not its entries too.
    """
    old = {rec.id: rec for rec in before.recommendations}
    new_ids = {rec.id for rec in after.recommendations}
    records: list[RecordChange] = []
    history: list[EntryAdded] = []
    for rec in after.recommendations:
        was = old.get(rec.id)
        if was is None:
            records.append(RecordChange("added", None, rec))
            continue
        if was == rec:
            continue
        added, extended = _entries_added(was, rec)
        history += added
        fields = _differing(was, rec, RECOMMENDATION_FIELDS)
        if not extended:
            fields += ("status",) if was.status != rec.status else ()
            fields += ("history",)
        if fields:
            records.append(RecordChange("edited", was, rec, fields))
    records += [
        RecordChange("removed", rec, None)
        for rec in before.recommendations
        if rec.id not in new_ids
    ]
    return RegistryChanges(
        None,
        None,
        by_date=False,
        recommendations=tuple(records),
        history=_in_date_order(history),
        sources=tuple(_sources(before.sources, after.sources)),
        reports=tuple(_reports(before.reports, after.reports)),
        ledger=after,
    )


def _sources(before: Iterable[Source], after: Iterable[Source]) -> list[SourceChange]:
    old = {source.id: source for source in before}
    found = []
    for source in after:
        was = old.pop(source.id, None)
        if was is None:
            found.append(SourceChange("added", None, source))
        elif was != source:
            fields = _differing(was, source, SOURCE_FIELDS)
            kind: Kind = "refingerprinted" if "sha256" in fields else "edited"
            found.append(SourceChange(kind, was, source, fields))
    return found + [SourceChange("removed", source, None) for source in old.values()]


def _reports(before: Iterable[AdviceReport], after: Iterable[AdviceReport]) -> list[ReportChange]:
    old = {report.key: report for report in before}
    found = []
    for report in after:
        was = old.pop(report.key, None)
        if was is None:
            found.append(ReportChange("added", None, report))
        elif was != report:
            found.append(
                ReportChange("edited", was, report, _differing(was, report, REPORT_FIELDS))
            )
    return found + [ReportChange("removed", report, None) for report in old.values()]


def _in_date_order(entries: list[EntryAdded]) -> tuple[EntryAdded, ...]:
    return tuple(sorted(entries, key=lambda added: added.entry.date))  # stable: registry order


def dated(ledger: Ledger, since: date, until: date | None = None) -> RegistryChanges:
    """The history entries of `ledger` dated after `since`, up to and including `until`
    (None: every later one), oldest first, then in registry order."""
    found = []
    for rec in ledger.recommendations:
        for position, entry in enumerate(rec.history):
            if entry.date > since and (until is None or entry.date <= until):
                previous = rec.history[position - 1].status if position else None
                found.append(EntryAdded(rec, previous, entry))
    return RegistryChanges(None, None, by_date=True, history=_in_date_order(found), ledger=ledger)


public(RegistryChanges, RecordChange, EntryAdded, SourceChange, ReportChange)
