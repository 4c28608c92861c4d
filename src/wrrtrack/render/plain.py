"""Output for pipes and plain terminals: tab-separated lines and unstyled text."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wrrtrack._model import AdviceReport, Ledger, Recommendation, Source, StatusChange
from wrrtrack._vocabulary import Language, Vocabularies, Vocabulary, is_builtin
from wrrtrack.render import no_workflow_commands, visible

if TYPE_CHECKING:
    from wrrtrack._changes import RegistryChanges

# The columns of every text format of `list`, in this order (cli.md).
LIST_FIELDS = ("id", "title", "theme", "stance", "actors", "status", "updated")
# Actors are joined with ';' in every text format: no key can contain it, CSV has always
# used it, and `cut -f5 | tr ';' '\n'` splits it.
ACTOR_SEPARATOR = ";"

# Headings of the texts for people (`show`, the terminal tables), in both languages.
WORDS: dict[Language, dict[str, str]] = {
    "nl": {
        "id": "id",
        "title": "titel",
        "theme": "thema",
        "stance": "standpunt",
        "actors": "actoren",
        "status": "status",
        "updated": "bijgewerkt",
        "quoted": "Geciteerd uit {reference}:",
        "quoted_from": "geciteerd uit",
        "page": "publicatiepagina",
        "history": "Geschiedenis:",
        "source": "bron",
        "date": "datum",
        "by": "door",
        "note": "toelichting",
        "key": "sleutel",
        "aliases": "ook",
        "origin": "herkomst",
        "builtin": "ingebouwd",
        "registry": "register",
        "count": "{shown} van {total} aanbevelingen",
        "reports": "{count} rapporten",
        "report": "rapport",
        "total": "totaal",
        "reaction": "reactie",
        "as_of": "stand per {day}",
        "due": "termijn",
        "review": "herzien op",
        "response": "(reactie)",
        "related": "(verwant)",
    },
    "en": {
        "id": "id",
        "title": "title",
        "theme": "theme",
        "stance": "stance",
        "actors": "actors",
        "status": "status",
        "updated": "updated",
        "quoted": "Quoted from {reference}:",
        "quoted_from": "quoted from",
        "page": "publication page",
        "history": "History:",
        "source": "source",
        "date": "date",
        "by": "by",
        "note": "note",
        "key": "key",
        "aliases": "aliases",
        "origin": "origin",
        "builtin": "built-in",
        "registry": "registry",
        "count": "{shown} of {total} recommendations",
        "reports": "{count} reports",
        "report": "report",
        "total": "total",
        "reaction": "reaction",
        "as_of": "as of {day}",
        "due": "due",
        "review": "review",
        "response": "(response)",
        "related": "(related)",
    },
}


def cell(text: str | None) -> str:
    """One field of a tab-separated line: no tabs, line breaks or control characters."""
    return visible(" ".join((text or "").split()))


def list_row(rec: Recommendation) -> tuple[str, ...]:
    """The `list` columns of one recommendation as text, in LIST_FIELDS order."""
    return (
        rec.id,
        cell(rec.title),
        rec.theme,
        rec.stance,
        ACTOR_SEPARATOR.join(rec.actors),
        rec.status,
        rec.updated.isoformat(),
    )


def list_lines(recs: Iterable[Recommendation], *, header: bool = False) -> str:
    """One tab-separated line per recommendation, in LIST_FIELDS order; a header if asked."""
    lines = ["\t".join(LIST_FIELDS) + "\n"] if header else []
    lines += ["\t".join(list_row(rec)) + "\n" for rec in recs]
    return "".join(lines)


def history_lines(history: Iterable[StatusChange], ledger: Ledger, lang: Language = "nl") -> str:
    """date, status, by, note, source: one line per history entry; a stored source named
    by its citation, as `show` names it, free text as it is."""
    from wrrtrack.render.content import change_attribution

    return "".join(
        "\t".join(
            (
                c.date.isoformat(),
                c.status,
                cell(c.by),
                cell(c.note),
                cell(change_attribution(ledger, c, lang).label),
            )
        )
        + "\n"
        for c in history
    )


def vocabulary_lines(vocabularies: Vocabularies, sections: Iterable[str]) -> str:
    """vocabulary, key, nl, en, aliases (joined with ';'), origin: one line per key."""
    return "".join(
        "\t".join(
            (
                section,
                term.key,
                cell(term.nl),
                cell(term.en),
                ";".join(cell(alias) for alias in term.aliases),
                "built-in" if is_builtin(section, term) else "registry",
            )
        )
        + "\n"
        for section in sections
        for term in vocabularies.by_section(section)
    )


def sources_lines(rows: Iterable[tuple[Source, str]]) -> str:
    """id, kind, date, title, url, state: one line per source; a source whose stored file
    holds only passages of the document has a seventh field, `excerpt` (what its
    fingerprint proves is those passages)."""
    return "".join(
        "\t".join(
            (
                cell(source.id),
                cell(source.kind),
                source.date.isoformat() if source.date else "",
                cell(source.title),
                cell(source.url),
                state,
                *(("excerpt",) if source.excerpt else ()),
            )
        )
        + "\n"
        for source, state in rows
    )


def same_words(key: str, label: str) -> bool:
    """Whether a label only respells its key (`in verkenning` for `in-verkenning`)."""
    return key.casefold() == label.casefold().replace(" ", "-")


def show_text(
    rec: Recommendation,
    ledger: Ledger,
    *,
    width: int = 88,
    lang: Language = "nl",
) -> str:
    """One recommendation in full, as plain text wrapped to `width`, never inside a word;
    each quote with the source it is found in, each source with its publication page."""
    from wrrtrack.render.citation import cite, quoted_from

    words = WORDS[lang]
    vocab = ledger.vocabularies

    def labelled(vocabulary: Vocabulary, key: str) -> str:
        label = vocabulary.label(key, lang) if key in vocabulary else key
        return key if same_words(key, label) else f"{key} ({label})"

    def wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
        return textwrap.wrap(
            text,
            width,
            initial_indent=indent,
            subsequent_indent=indent if hanging is None else hanging,
            break_long_words=False,  # a long word (a URL) overflows rather than breaks
            break_on_hyphens=False,  # keys and ids are hyphenated: keep them whole
        )

    def page(source: Source, indent: str) -> list[str]:
        # A web address is never broken: a reader copies it whole.
        return [f"{indent}{words['page']}: {cell(source.url)}"] if source.url else []

    lines = [cell(rec.id), *wrap(cell(rec.title), "  "), ""]
    rows = [
        ("theme", labelled(vocab.themes, rec.theme)),
        ("stance", labelled(vocab.stances, rec.stance)),
        ("actors", ", ".join(rec.actors)),
        ("status", labelled(vocab.statuses, rec.status)),
        ("updated", rec.updated.isoformat()),
    ]
    rows += [
        (name, day.isoformat()) for name, day in (("due", rec.due), ("review", rec.review)) if day
    ]
    if len(ledger.reports) > 1:  # which of them it belongs to
        rows.insert(0, ("report", rec.report))
    name_width = max(len(words[name]) for name, _ in rows) + 2
    for name, value in rows:
        lines += wrap(f"{words[name]:<{name_width}}{cell(value)}", "  ", " " * (name_width + 2))
    report = ledger.report_of(rec.report) if rec.report else ledger.report
    origin = ledger.quote_source_of(report)
    lines += ["", *wrap(cell(quoted_from(origin, report.reaction, lang)) + ":", "  ")]
    for quote in rec.quotes:
        lines += wrap(f"“{cell(quote)}”", "    ")
    lines += page(origin, "    ")
    lines += ["", f"  {words['history']}"]
    for change in rec.history:
        by = f" ({cell(change.by)})" if change.by else ""
        relation = f" {words[change.relation]}" if change.relation else ""
        lines.append(f"    {change.date.isoformat()}  {change.status}{relation}{by}")
        if change.note:
            lines += wrap(cell(change.note), "      ")
        for quote in change.quotes:
            lines += wrap(f"“{cell(quote)}”", "      ")
        stored = ledger.source(change.source)
        if stored is not None:
            said = words["quoted_from"] if change.quotes else words["source"]
            lines += wrap(f"{said}: {cell(cite(stored, lang))}", "      ")
            lines += page(stored, "      ")
        elif change.source:
            lines += wrap(f"{words['source']}: {cell(change.source)}", "      ")
    return no_workflow_commands("\n".join(lines) + "\n")


def reaction_named(report: AdviceReport, lang: Language) -> str:
    """The reaction's reference, after what the registry calls the reaction where it names
    it ("Collegereactie: Collegebrief 2025-012"); a cabinet's reaction by its reference."""
    label = report.reaction.label
    reference = report.reaction.reference
    return f"{getattr(label, lang)}: {reference}" if label else reference


def reports_lines(
    rows: Iterable[tuple[AdviceReport, dict[str, int]]], lang: Language = "nl"
) -> str:
    """key, publisher, number, date, reaction, reaction date, total, the counts per status
    (`status=n`, those above zero), title: one line per report."""
    return "".join(
        "\t".join(
            (
                report.key,
                cell(report.publisher),
                cell(report.number),
                report.date.isoformat(),
                cell(reaction_named(report, lang)),
                report.reaction.date.isoformat(),
                str(sum(counts.values())),
                ",".join(f"{key}={n}" for key, n in counts.items() if n),
                cell(report.title),
            )
        )
        + "\n"
        for report, counts in rows
    )


def changes_lines(changes: RegistryChanges) -> str:
    """change, id, date, status before, status, detail: one line per change, with keys
    (`history-added`, `open`) as scripts want them; see `render.changes.rows`."""
    from wrrtrack.render.changes import rows

    return "".join(
        "\t".join(
            (
                row.change,
                cell(row.id),
                row.date.isoformat() if row.date else "",
                row.before,
                row.status,
                cell(row.detail),
            )
        )
        + "\n"
        for row in rows(changes)
    )
