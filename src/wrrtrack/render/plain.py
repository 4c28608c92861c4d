"""Output for pipes and plain terminals: tab-separated lines and unstyled text."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from wrrtrack._model import Ledger, Recommendation, Source, StatusChange
from wrrtrack.render import visible


def cell(text: str | None) -> str:
    """One field of a tab-separated line: no tabs, line breaks or control characters."""
    return visible(" ".join((text or "").split()))


def list_lines(recs: Iterable[Recommendation]) -> str:
    """id, status, stance, actors, theme, updated, title: one line per recommendation."""
    return "".join(
        "\t".join(
            (
                rec.id,
                rec.status,
                rec.stance,
                ",".join(rec.actors),
                rec.theme,
                rec.updated.isoformat(),
                cell(rec.title),
            )
        )
        + "\n"
        for rec in recs
    )


def history_lines(history: Iterable[StatusChange]) -> str:
    """date, status, by, note, source: one line per history entry."""
    return "".join(
        "\t".join((c.date.isoformat(), c.status, cell(c.by), cell(c.note), cell(c.source))) + "\n"
        for c in history
    )


def sources_lines(rows: Iterable[tuple[Source, str]]) -> str:
    """id, kind, date, title, url, state: one line per source."""
    return "".join(
        "\t".join(
            (
                cell(source.id),
                cell(source.kind),
                source.date.isoformat() if source.date else "",
                cell(source.title),
                cell(source.url),
                state,
            )
        )
        + "\n"
        for source, state in rows
    )


def show_text(rec: Recommendation, ledger: Ledger, width: int = 88) -> str:
    """One recommendation in full, as plain text, each quote with the source it is from."""
    from wrrtrack.render.citation import cite, quoted_from

    vocab = ledger.vocabularies

    def labelled(key: str, label: str) -> str:
        return key if key == label else f"{key} ({label})"

    def wrap(text: str, indent: str) -> list[str]:
        return textwrap.wrap(cell(text), width, initial_indent=indent, subsequent_indent=indent)

    def page(source: Source, indent: str) -> list[str]:
        # A web address is never broken: a reader copies it whole.
        return [f"{indent}publication page: {cell(source.url)}"] if source.url else []

    lines = [f"{rec.id}", *wrap(rec.title, "  "), ""]
    rows = [
        ("theme", labelled(rec.theme, vocab.themes.label(rec.theme, "en"))),
        ("stance", labelled(rec.stance, vocab.stances.label(rec.stance, "en"))),
        ("actors", ", ".join(rec.actors)),
        ("status", labelled(rec.status, vocab.statuses.label(rec.status, "en"))),
        ("updated", rec.updated.isoformat()),
    ]
    lines += [f"  {name:<8} {cell(value)}" for name, value in rows]
    origin = ledger.quote_source
    lines += ["", *wrap(quoted_from(origin, ledger.report.reaction, "en") + ":", "  ")]
    for quote in rec.quotes:
        lines += wrap(f"“{quote}”", "    ")
    lines += page(origin, "    ")
    lines += ["", "  History:"]
    for change in rec.history:
        by = f" ({cell(change.by)})" if change.by else ""
        lines.append(f"    {change.date.isoformat()}  {change.status}{by}")
        if change.note:
            lines += wrap(change.note, "      ")
        for quote in change.quotes:
            lines += wrap(f"“{quote}”", "      ")
        stored = ledger.source(change.source)
        if stored is not None:
            said = "quoted from" if change.quotes else "source"
            lines += wrap(f"{said}: {cite(stored, 'en')}", "      ")
            lines += page(stored, "      ")
        elif change.source:
            lines += wrap(f"source: {change.source}", "      ")
    return "\n".join(lines) + "\n"
