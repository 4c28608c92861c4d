"""What a status report says, before it is written as Markdown or HTML.

The texts in both languages, the counts, the grouping by theme, the changes to show and
where each quote comes from are decided here, once; `markdown` and `html` only write them
down, each escaping the values for its own format. Values here are raw registry text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from wrrtrack._model import (
    AdviceReport,
    Ledger,
    Recommendation,
    Source,
    StatusChange,
    count_by,
)
from wrrtrack._vocabulary import Language, Vocabulary

TEXT: dict[Language, dict[str, str]] = {
    "nl": {
        "title": "Opvolging {report}",
        "title_several": "Opvolging van {count} adviesrapporten",
        "report": "Rapport",
        "reaction": "Kabinetsreactie",
        "as_of": "Stand per",
        "summary": "Samenvatting",
        "by_status": "Per status",
        "by_actor": "Per actor",
        "by_report": "Per rapport",
        "status": "Status",
        "actor": "Actor",
        "count": "Aantal",
        "total": "Totaal",
        "by_theme": "Aanbevelingen per thema",
        "id": "Id",
        "recommendation": "Aanbeveling",
        "stance": "Standpunt kabinet",
        "stance_named": "Standpunt",
        "actors": "Actoren",
        "theme": "Thema",
        "changed": "Laatst gewijzigd",
        "details": "Aanbevelingen in detail",
        "quotes": "Citaten",
        "quoted_from": "geciteerd uit",
        "sources": "Bronnen",
        "history": "Geschiedenis",
        "date": "Datum",
        "note": "Toelichting",
        "by": "Door",
        "source": "Bron",
        "stored_text": "Opgeslagen tekst",
        "since": "Wijzigingen na {since}",
        "no_changes": "Geen wijzigingen na {since}.",
        "latest": "Laatste wijzigingen",
        "more_changes": "Nog {more} eerdere wijziging(en); het volledige rapport (`wrrtrack report`) toont ze alle.",  # noqa: E501
        "summary_cut": "De samenvatting is hier afgebroken: {left} van haar {total} bytes zijn weggelaten, zodat ze onder de grens van GitHub voor een job summary (1 MiB) blijft. Het volledige rapport (`wrrtrack report`) toont alles.",  # noqa: E501
        "contents": "Inhoud",
        "context": "Het kabinet over het rapport als geheel",
        "context_named": "De reactie over het rapport als geheel",
        "chart_status": "Aanbevelingen per status",
        "chart_actor": "Aanbevelingen per actor, naar status",
        "chart_report": "Aanbevelingen per rapport, naar status",
        "chart_desc": "{label}: {count}",
        "generated": "Gemaakt met wrrtrack uit het register; alle citaten zijn gecontroleerd tegen de brontekst met `wrrtrack validate`.",  # noqa: E501
        "overdue": "Termijn verstreken",
        "stale": "Twaalf maanden of langer zonder nieuwe vermelding",
        "due": "Termijn",
        "more_items": "Nog {more}; het volledige rapport (`wrrtrack report`) toont ze alle.",
        "by_relation": "Per soort vermelding",
        "relation": "Soort vermelding",
        "response": "reactie op het advies",
        "related": "verwante ontwikkeling",
        "unstated": "niet aangegeven",
        "marker_response": "(reactie)",
        "marker_related": "(verwant)",
    },
    "en": {
        "title": "Follow-up of {report}",
        "title_several": "Follow-up of {count} advisory reports",
        "report": "Report",
        "reaction": "Cabinet reaction",
        "as_of": "As of",
        "summary": "Summary",
        "by_status": "By status",
        "by_actor": "By actor",
        "by_report": "By report",
        "status": "Status",
        "actor": "Actor",
        "count": "Count",
        "total": "Total",
        "by_theme": "Recommendations by theme",
        "id": "Id",
        "recommendation": "Recommendation",
        "stance": "Cabinet stance",
        "stance_named": "Stance",
        "actors": "Actors",
        "theme": "Theme",
        "changed": "Last changed",
        "details": "Recommendations in detail",
        "quotes": "Quotes",
        "quoted_from": "quoted from",
        "sources": "Sources",
        "history": "History",
        "date": "Date",
        "note": "Note",
        "by": "By",
        "source": "Source",
        "stored_text": "Stored text",
        "since": "Changes after {since}",
        "no_changes": "No changes after {since}.",
        "latest": "Latest changes",
        "more_changes": "{more} earlier change(s) not shown; the full report (`wrrtrack report`) shows them all.",  # noqa: E501
        "summary_cut": "The summary is cut off here: {left} of its {total} bytes are left out, to stay under GitHub's limit for a job summary (1 MiB). The full report (`wrrtrack report`) shows everything.",  # noqa: E501
        "contents": "Contents",
        "context": "The cabinet on the report as a whole",
        "context_named": "The reaction on the report as a whole",
        "chart_status": "Recommendations by status",
        "chart_actor": "Recommendations by actor, by status",
        "chart_report": "Recommendations by report, by status",
        "chart_desc": "{label}: {count}",
        "generated": "Generated by wrrtrack from the registry; every quote is checked against the source text by `wrrtrack validate`.",  # noqa: E501
        "overdue": "Past their deadline",
        "stale": "No new entry for twelve months or more",
        "due": "Deadline",
        "more_items": "{more} more; the full report (`wrrtrack report`) shows them all.",
        "by_relation": "By kind of entry",
        "relation": "Kind of entry",
        "response": "response to the advice",
        "related": "related development",
        "unstated": "not stated",
        "marker_response": "(response)",
        "marker_related": "(related)",
    },
}

Escape = Callable[[str], str]  # registry text made safe for one output format

# A summary must fit a CI job summary (GitHub allows 1 MiB) whatever the registry's size:
# it shows a bounded number of changes, and clips the free text in each.
LATEST_CHANGES = 20
SINCE_CHANGES = 500
CLIP = 300
# How long without a new history entry before a report lists an item as stale (a
# `clock.ago` duration), counted back from the report's as-of date, never the clock.
STALE_AFTER = "12m"
# How many overdue or stale items a summary lists (the full report lists them all).
SUMMARY_ITEMS = 20


class Attribution(NamedTuple):
    """Where quoted text comes from: what to call it and, where known, a web address."""

    label: str
    url: str | None = None


def quote_attribution(ledger: Ledger, rec: Recommendation, lang: Language = "en") -> Attribution:
    """Where `rec`'s quotes come from, as every report names (and links) it: the stored
    source they are checked against, as it is (a summary is never called the reaction):
    the quote source of the recommendation's report."""
    from wrrtrack.render.citation import quoted_from

    report = next((r for r in ledger.reports if r.key == rec.report), ledger.report)
    source = ledger.quote_source_of(report)
    return Attribution(quoted_from(source, report.reaction, lang), source.url)


def change_attribution(ledger: Ledger, change: StatusChange, lang: Language) -> Attribution:
    """Where a history entry is documented: a stored source named by its facts (and
    linked), or the free text the entry gives."""
    from wrrtrack.render.citation import cite

    stored = ledger.source(change.source)
    if stored is None:
        return Attribution(change.source or "")
    return Attribution(cite(stored, lang), stored.url)


class SourceRow(NamedTuple):
    """One row of a report's table of sources: the source's id, what it is called (linked
    to `url` where known), what kind of document from where and when, its stored file."""

    id: str
    name: str
    url: str | None
    detail: str
    file: str
    # What the stored file holds when it is not the whole document ("excerpt"), else "".
    stored: str = ""


def quote_sources(ledger: Ledger) -> tuple[Source, ...]:
    """The sources a report lists: the stored ones, else each report's source file."""
    if ledger.sources:
        return ledger.sources
    return tuple(dict.fromkeys(ledger.quote_source_of(report) for report in ledger.reports))


def source_rows(sources: Iterable[Source], lang: Language) -> list[SourceRow]:
    """The rows of a table of `sources`. A source known only by its stored file is named
    by that file, unlinked: nothing more is known of it."""
    from wrrtrack.render.citation import TEXT as CITATION
    from wrrtrack.render.citation import cite, where_when

    rows = []
    for source in sources:
        stored = CITATION[lang]["excerpt"] if source.excerpt else ""
        if source.title is None:
            rows.append(SourceRow(source.id, cite(source, lang), None, "", source.file, stored))
            continue
        title = f"{source.publisher}, “{source.title}”" if source.publisher else source.title
        detail = where_when(source, lang)
        rows.append(SourceRow(source.id, title, source.url, detail, source.file, stored))
    return rows


def reaction_label(report: AdviceReport, lang: Language) -> str:
    """What `report`'s reaction is called in `lang`: its `label`, else "Kabinetsreactie"."""
    label = report.reaction.label
    return TEXT[lang]["reaction"] if label is None else getattr(label, lang)


def web_link(url: str | None) -> str | None:
    """`url` if it is safe to offer as a link to a reader (http or https only), else None.

    A registry is data, and a `javascript:` or `data:` address must never become a link.
    """
    from wrrtrack._model import url_problem

    return url if url and url_problem(url) is None else None


def clip(text: str | None, limit: int = CLIP) -> str | None:
    """`text` shortened to `limit` characters (with an ellipsis), for bounded summaries."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


class StatusCount(NamedTuple):
    key: str
    label: str
    total: int  # recommendations with this status


class ActorRow(NamedTuple):
    label: str
    counts: tuple[int, ...]  # one per status of `ActorMatrix.statuses`
    total: int


class ActorMatrix(NamedTuple):
    statuses: tuple[StatusCount, ...]  # the statuses in use, with their overall counts
    rows: tuple[ActorRow, ...]


class ThemeGroup(NamedTuple):
    key: str
    label: str
    recommendations: tuple[Recommendation, ...]


class Changes(NamedTuple):
    """The history entries a report lists, with the heading and what was left out."""

    heading: str
    entries: tuple[tuple[Recommendation, StatusChange], ...]
    empty: str  # the sentence to show when there are none
    more: int = 0  # entries left out of a summary


class Attention(NamedTuple):
    """Items a report points out (past their deadline, or long without a new entry)."""

    name: str  # "overdue" or "stale": the section's id and the key of its heading
    heading: str
    recommendations: tuple[Recommendation, ...]
    more: int = 0  # items left out of a summary


class RelationCount(NamedTuple):
    key: str  # "response", "related" or "unstated"
    label: str
    total: int  # history entries of that kind


@dataclass
class ReportContent:
    """One report's content, in one language: everything but the markup.

    `summary` keeps the report small whatever the registry's size: the counts and the
    changes (after `since`, else the latest), without the per-theme tables and details.
    """

    ledger: Ledger
    lang: Language
    as_of: date
    since: date | None = None
    summary: bool = False

    def __post_init__(self) -> None:
        self.t = TEXT[self.lang]
        reports = self.ledger.reports
        if len(reports) == 1 and reports[0].reaction.label is not None:
            # A reaction that is not the cabinet's: its stance and its words on the report
            # as a whole are not "the cabinet's" either.
            self.t = {
                **self.t,
                "stance": self.t["stance_named"],
                "context": self.t["context_named"],
            }
        self.vocab = self.ledger.vocabularies
        self._labels: dict[tuple[str, str, Escape | None], str] = {}

    @property
    def title(self) -> str:
        if len(self.ledger.reports) != 1:
            return self.t["title_several"].format(count=len(self.ledger.reports))
        return self.t["title"].format(report=self.ledger.report.name)

    def reaction_label(self, report: AdviceReport) -> str:
        """What `report`'s reaction is called: as the registry names it, else the cabinet's
        reaction ("Kabinetsreactie")."""
        return reaction_label(report, self.lang)

    def section_title(self, report: AdviceReport) -> str:
        """The heading of `report`'s section in a report of several (its own title)."""
        return self.t["title"].format(report=report.name)

    def per_report(self) -> list[ReportContent]:
        """The content of each report on its own, in registry order, as of the same day.

        The records are grouped in one pass: a thousand reports must not each walk every
        record. A section lists no sources, so each keeps the registry's."""
        by_report: dict[str, list[Recommendation]] = {r.key: [] for r in self.ledger.reports}
        for rec in self.ledger.recommendations:
            by_report[rec.report].append(rec)
        return [
            dataclasses.replace(
                self,
                ledger=self.ledger._replace(
                    reports=(report,), recommendations=tuple(by_report[report.key])
                ),
            )
            for report in self.ledger.reports
        ]

    def report_counts(self, statuses: list[str]) -> list[tuple[AdviceReport, list[int], int]]:
        """Per report: how many of its recommendations have each of `statuses`, and all."""
        by_report: dict[str, list[str]] = {report.key: [] for report in self.ledger.reports}
        for rec in self.ledger.recommendations:
            by_report[rec.report].append(rec.status)
        rows = []
        for report in self.ledger.reports:
            counts = count_by(statuses, by_report[report.key])
            rows.append((report, [counts[key] for key in statuses], len(by_report[report.key])))
        return rows

    def label(self, vocabulary: Vocabulary, key: str, escape: Escape | None = None) -> str:
        """The label of `key` in the report's language, escaped for the output by `escape`.

        A few keys are looked up for every row: each is escaped once.
        """
        memo = (vocabulary.name, key, escape)
        found = self._labels.get(memo)
        if found is None:
            found = vocabulary.label(key, self.lang)
            found = escape(found) if escape else found
            self._labels[memo] = found
        return found

    def actors(self, rec: Recommendation, escape: Escape | None = None) -> str:
        """The labels of `rec`'s actors, escaped, separated by commas."""
        return ", ".join(self.label(self.vocab.actors, a, escape) for a in rec.actors)

    def status_counts(self) -> list[StatusCount]:
        """The statuses in use, in vocabulary order, with how many recommendations have each."""
        recs = self.ledger.recommendations
        counts = count_by(self.vocab.statuses.keys, (r.status for r in recs))
        return [
            StatusCount(key, self.label(self.vocab.statuses, key), n)
            for key, n in counts.items()
            if n
        ]

    def actor_matrix(self) -> ActorMatrix:
        """Per actor, how many of its recommendations are in each status in use."""
        recs = self.ledger.recommendations
        used = self.status_counts()
        keys = [s.key for s in used]
        rows = []
        for actor in self.vocab.actors:
            mine = [r for r in recs if actor.key in r.actors]
            if mine:
                counts = count_by(keys, (r.status for r in mine))
                rows.append(
                    ActorRow(
                        self.label(self.vocab.actors, actor.key),
                        tuple(counts[k] for k in keys),
                        len(mine),
                    )
                )
        return ActorMatrix(tuple(used), tuple(rows))

    def themes(self) -> list[ThemeGroup]:
        """The recommendations per theme, in vocabulary order; themes without any left out."""
        by_theme: dict[str, list[Recommendation]] = {}
        for rec in self.ledger.recommendations:
            by_theme.setdefault(rec.theme, []).append(rec)
        return [
            ThemeGroup(theme.key, self.label(self.vocab.themes, theme.key), tuple(mine))
            for theme in self.vocab.themes
            if (mine := by_theme.get(theme.key))
        ]

    def changes(self) -> Changes | None:
        """The changes to list: after `since` (all of them, or the newest in a summary), or
        in a summary without `since` the latest few; None when the report lists none."""
        t = self.t
        if self.since is not None:
            since = self.since.isoformat()
            found = self.ledger.changes_since(self.since)
            heading = t["since"].format(since=since)
            empty = t["no_changes"].format(since=since)
            if not self.summary:
                return Changes(heading, tuple(found), empty)
            limit = SINCE_CHANGES
        elif self.summary:
            found = self.ledger.changes_since(date.min)
            heading, empty, limit = t["latest"], "", LATEST_CHANGES
        else:
            return None
        # Newest first (and in registry order within a day): what a reader of a summary
        # wants to see, and what a limit should keep.
        newest = sorted(found, key=lambda pair: pair[1].date, reverse=True)[:limit]
        return Changes(heading, tuple(newest), empty, len(found) - len(newest))

    def overdue(self) -> Attention | None:
        """The items whose deadline is before the as-of date and whose status is not
        final; None when there are none."""
        return self._attention("overdue", self.ledger.overdue(self.as_of))

    def stale(self) -> Attention | None:
        """The items without a history entry in the `STALE_AFTER` before the as-of date
        and whose status is not final; None when there are none."""
        from wrrtrack.clock import ago

        return self._attention("stale", self.ledger.stale(ago(self.as_of, STALE_AFTER)))

    def _attention(self, name: str, recs: list[Recommendation]) -> Attention | None:
        if not recs:
            return None
        shown = recs[:SUMMARY_ITEMS] if self.summary else recs
        return Attention(name, self.t[name], tuple(shown), len(recs) - len(shown))

    def relation_counts(self) -> list[RelationCount]:
        """How many history entries are responses to the advice, related developments and
        unstated (those in use); empty when no entry says (a registry without relations
        reports as it did)."""
        counts = count_by(
            ("response", "related", "unstated"),
            (c.relation or "unstated" for rec in self.ledger.recommendations for c in rec.history),
        )
        if counts["response"] + counts["related"] == 0:
            return []
        return [RelationCount(key, self.t[key], n) for key, n in counts.items() if n]

    def marker(self, change: StatusChange) -> str | None:
        """What tells a response from a related development: "(verwant)", "(related)"…"""
        return self.t[f"marker_{change.relation}"] if change.relation else None

    def brief(self, text: str | None) -> str | None:
        """Free text as a summary shows it (clipped), or whole in a full report."""
        return clip(text) if self.summary else text

    def attribution(self, rec: Recommendation) -> Attribution:
        return quote_attribution(self.ledger, rec, self.lang)

    def documented(self, change: StatusChange) -> Attribution:
        return change_attribution(self.ledger, change, self.lang)


def prepare(
    ledger: Ledger,
    *,
    lang: Language,
    as_of: date | None = None,
    since: date | None = None,
    summary: bool = False,
) -> ReportContent:
    """The content of a report as of `as_of` (the registry as it stood at the end of that
    day, see `Ledger.as_at`), else as the registry stands, dated by its newest change."""
    if as_of is None:
        return ReportContent(ledger, lang, ledger.as_of, since, summary)
    return ReportContent(ledger.as_at(as_of), lang, as_of, since, summary)
