"""Output for people at a terminal: Rich tables that fit its width (NO_COLOR is honoured).

A table never truncates what a user must type (ids, status and other keys): as the width
shrinks, the optional columns move into a dimmed line under the wrapping text column; then
only the first key (the id) keeps its column and the second heads the text; and where not
even that fits, each row is one block: the keys on a line, the text below.
Every piece of registry text reaches Rich as `rich.text.Text` made by `plain.cell` (which
escapes control characters), never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich import box
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from wrrtrack._model import AdviceReport, Ledger, Recommendation, Source, StatusChange
from wrrtrack._vocabulary import Language, Vocabularies, Vocabulary, is_builtin
from wrrtrack.render import visible
from wrrtrack.render.plain import WORDS, cell, reaction_named

if TYPE_CHECKING:
    from wrrtrack._changes import RegistryChanges

STATUS_STYLES = {
    "open": "yellow",
    "in-verkenning": "cyan",
    "in-uitvoering": "blue",
    "uitgevoerd": "green",
    "doorgeschoven": "magenta",
    "afgewezen": "red",
    "vervallen": "dim",
}
GAP = 3  # columns between two cells: a space of padding, the rule's column, a space
TEXT_MIN = 24  # the narrowest a wrapping text column may be and stay readable
SEPARATOR = " · "


class Layout(NamedTuple):
    """What a table shows at a width: how many key columns (all, 1 or 0), and which of the
    optional columns (the others are listed under the text)."""

    key_columns: int
    shown: tuple[str, ...]
    text_width: int = TEXT_MIN  # the text column's least width: no word of it is split
    spare: int = 0  # the columns left over when every column has its least width

    def hidden(self, optional: Sequence[str]) -> list[str]:
        return [name for name in optional if name not in self.shown]


def layout(
    width: int,
    keys: Sequence[int],
    optional: Sequence[tuple[str, int]],
    texts: Iterable[str] = (),
) -> Layout:
    """Fit key columns (never cut), one wrapping text column and what optional columns fit.

    `keys` are the widths of the one or two columns always shown; `optional` the names and
    widths of the others, most wanted first; `texts` what the text column holds. The text
    column keeps TEXT_MIN, or its longest word if that is longer (so that no word is
    split); the key columns stand side by side while it can, else only the first, else none.
    """
    text_min = max([TEXT_MIN, *(len(word) for text in texts for word in text.split())])
    if sum(keys) + GAP * len(keys) + text_min <= width:
        key_columns, used = len(keys), sum(keys) + GAP * len(keys)
    elif keys[0] + GAP + text_min <= width:
        key_columns, used = 1, keys[0] + GAP
    else:
        return Layout(0, (), text_min, max(width - text_min, 0))
    shown = []
    for name, needed in optional:
        if used + needed + GAP + text_min <= width:
            shown.append(name)
            used += needed + GAP
    return Layout(key_columns, tuple(shown), text_min, width - used - text_min)


def _widest(header: str, values: Iterable[str]) -> int:
    return max([len(header), *(len(v) for v in values)])


def safe(text: str | None, style: str = "") -> Text:
    """Registry or user text for a Rich renderable: control characters escaped (the same
    `visible` as plain output), and `[bold]` or any other markup shown as the text it is."""
    return Text(visible(text or ""), style=style)


def _text(value: str | None, style: str = "") -> Text:
    """A cell: `safe`, and on one line (`plain.cell`)."""
    return Text(cell(value), style=style)


def _status(key: str) -> Text:
    return Text(cell(key), style=STATUS_STYLES.get(key, ""))


def _table(title: str | None = None, caption: str | None = None) -> Table:
    return Table(
        title=_text(title, "bold") if title else None,
        caption=_text(caption) if caption else None,
        title_justify="left",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )


def _with_details(text: Text, details: list[str], heading: Text | None = None) -> Text:
    """`text`, headed by `heading` if given, with the hidden columns' values on a dimmed
    line (or more) below it."""
    parts: list[str | Text] = [heading, "\n"] if heading is not None else []
    parts.append(text)
    if details:
        parts += ["\n", Text(SEPARATOR.join(details), style="dim")]
    return Text.assemble(*parts)


def _row(fit: Layout, first: Text, second: Text, text: Text, details: list[str]) -> list[Text]:
    """The key cells and the text cell of one row of a two-key table."""
    if fit.key_columns == 2:
        return [first, second, _with_details(text, details)]
    if fit.key_columns == 1:
        return [first, _with_details(text, details, heading=second)]
    return [_with_details(text, details, heading=Text.assemble(first, "  ", second))]


def _key_headers(table: Table, fit: Layout, first: str, second: str, text: str) -> None:
    """The key and text columns' headers, for as many key columns as fit."""
    if fit.key_columns == 2:
        table.add_column(first, no_wrap=True)
        table.add_column(second, no_wrap=True)
        table.add_column(text, overflow="fold", min_width=fit.text_width)
    elif fit.key_columns == 1:
        table.add_column(first, no_wrap=True)
        table.add_column(f"{second}, {text}", overflow="fold", min_width=fit.text_width)
    else:
        table.add_column(f"{first}, {second}, {text}", overflow="fold")


def list_table(
    recs: Sequence[Recommendation],
    *,
    width: int,
    lang: Language = "nl",
    title: str | None = None,
    caption: str | None = None,
    with_report: bool = False,
) -> Table:
    """The `list` table for a terminal `width` columns wide; `with_report`: each row names
    its report's key first on the dimmed line under the title (for a list of several)."""
    words = WORDS[lang]
    id_width = _widest(words["id"], (cell(r.id) for r in recs))
    status_width = _widest(words["status"], (r.status for r in recs))
    optional = [
        ("updated", len("2000-01-01")),
        ("stance", _widest(words["stance"], (r.stance for r in recs))),
        ("actors", _widest(words["actors"], (f"{a}," for r in recs for a in r.actors))),
        ("theme", _widest(words["theme"], (r.theme for r in recs))),
    ]
    # Any optional value may end up under the title: its words must fit there too.
    texts = [
        cell(f"{r.title} {r.theme} {r.stance} {' '.join(r.actors)} {r.report * with_report}")
        for r in recs
    ]
    fit = layout(width, [id_width, status_width], optional, texts)
    columns = ("theme", "stance", "actors", "updated")  # the order of every list format
    shown, hidden = [c for c in columns if c in fit.shown], fit.hidden(columns)

    table = _table(title, caption)
    _key_headers(table, fit, words["id"], words["status"], words["title"])
    widths = dict(optional)
    for name in shown:
        table.add_column(words[name], no_wrap=name != "actors", min_width=widths[name])

    def value(rec: Recommendation, name: str) -> str:
        if name == "actors":
            return ", ".join(rec.actors)
        if name == "updated":
            return rec.updated.isoformat()
        text: str = getattr(rec, name)
        return text

    for rec in recs:
        details = [cell(rec.report)] * with_report + [cell(value(rec, name)) for name in hidden]
        cells = _row(fit, _text(rec.id, "bold"), _status(rec.status), _text(rec.title), details)
        # A row of one block is set apart from the next by a blank line.
        table.add_row(
            *cells, *(_text(value(rec, name)) for name in shown), end_section=not fit.key_columns
        )
    return table


def history_table(
    rec: Recommendation,
    history: Iterable[StatusChange],
    ledger: Ledger,
    *,
    width: int,
    lang: Language = "nl",
) -> Table:
    """`status history` for a terminal: date and status whole, the note wrapping; a stored
    source named by its citation, as `show` names it."""
    from wrrtrack.render.content import change_attribution

    words = WORDS[lang]
    changes = list(history)
    sources = [change_attribution(ledger, c, lang).label or None for c in changes]
    status_width = _widest(words["status"], (c.status for c in changes))
    optional = [
        ("by", min(_widest(words["by"], (cell(c.by) for c in changes)), 16)),
        ("source", 24),
    ]
    notes = (
        cell(f"{c.note or ''} {c.by or ''} {source or ''}")
        for c, source in zip(changes, sources, strict=True)
    )
    fit = layout(width, [len("2000-01-01"), status_width], optional, notes)
    table = _table(f"{rec.id}: {words['history'].rstrip(':').lower()}")
    _key_headers(table, fit, words["date"], words["status"], words["note"])
    for name in fit.shown:
        table.add_column(words[name], min_width=dict(optional)[name])
    for c, source in zip(changes, sources, strict=True):
        values = {"by": c.by, "source": source}
        details = [
            f"{words[name]}: {cell(values[name])}"
            for name in fit.hidden(["by", "source"])
            if values[name]
        ]
        cells = _row(fit, Text(c.date.isoformat()), _status(c.status), _text(c.note), details)
        table.add_row(
            *cells, *(_text(values[name]) for name in fit.shown), end_section=not fit.key_columns
        )
    return table


SOURCE_STATE_STYLES = {"ok": "green", "changed": "red", "missing": "red", "refused": "red"}


def sources_table(rows: Iterable[tuple[Source, str]], *, width: int = 80) -> Table:
    """`sources` for a terminal: the id and state whole; kind, date, title and web address
    in the one column that wraps (an address folds: it has no spaces). Where there is room
    (the id and 60 columns for the rest), kind and date get columns of their own."""
    rows = list(rows)
    id_width = _widest("id", (cell(source.id) for source, _ in rows))
    wide = width >= id_width + 10 + 13 + 10 + 60
    narrow = width < id_width + 10 + 24  # one stacked column: each source as a block
    table = _table("sources")
    if narrow:
        table.add_column("source", overflow="fold")
        for source, state in rows:
            block = _text(source.id, "bold")
            block.append("  ")
            block.append_text(_text(state, SOURCE_STATE_STYLES.get(state, "")))
            if source.excerpt:
                block.append(" · excerpt")
            day = source.date.isoformat() if source.date else ""
            for line in (" · ".join(p for p in (source.kind, day) if p), source.title):
                if line:
                    block.append("\n" + cell(line))
            if source.url:
                block.append("\n" + cell(source.url), style="dim")
            table.add_row(block, end_section=True)
        return table
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("state", no_wrap=True)
    if wide:
        table.add_column("kind", no_wrap=True)
        table.add_column("date", no_wrap=True)
    table.add_column("title, url" if wide else "source", ratio=1, overflow="fold")
    for source, state in rows:
        day = source.date.isoformat() if source.date else ""
        described = Text() if wide else _text(" · ".join(p for p in (source.kind, day) if p))
        if not wide and described:
            described.append("\n")
        described.append_text(_text(source.title))
        if source.url:
            described.append("\n" + cell(source.url), style="dim")
        extra: list[Text | str] = [_text(source.kind), day] if wide else []
        shown = _text(state, SOURCE_STATE_STYLES.get(state, ""))
        if source.excerpt:  # what the fingerprint proves: the passages, not the document
            shown.append("\nexcerpt")
        table.add_row(
            _text(source.id),
            shown,
            *extra,
            described,
        )
    return table


def vocabulary_tables(
    vocabs: Vocabularies, sections: Iterable[str], *, width: int, lang: Language = "nl"
) -> list[Table]:
    """`vocab` for a terminal: per vocabulary, each key whole with its labels and aliases."""
    words = WORDS[lang]
    tables = []
    for section in sections:
        terms = list(vocabs.by_section(section))
        key_width = _widest(words["key"], (t.key for t in terms))
        # An alias is typed, so it is never cut: its column is as wide as the widest alias
        # (with the comma that follows it), as the `list` table's actors column is.
        aliases = _widest(words["aliases"], (f"{cell(a)}," for t in terms for a in t.aliases))
        optional = [("en", 16), ("aliases", aliases), ("origin", len(words["builtin"]))]
        texts = (cell(" ".join((t.nl, t.en, *t.aliases))) for t in terms)
        fit = layout(width, [key_width], optional, texts)
        headers = {"en": "en", "aliases": words["aliases"], "origin": words["origin"]}
        table = _table(section)
        if fit.key_columns:
            table.add_column(words["key"], no_wrap=True)
            table.add_column("nl", overflow="fold", min_width=fit.text_width)
        else:
            table.add_column(f"{words['key']}, nl", overflow="fold")
        for name in fit.shown:
            # None grows past its least width by more than is spare: Rich narrows the
            # widest columns alike, and would cut the last one to keep `nl` from
            # splitting a word.
            least = dict(optional)[name]
            table.add_column(headers[name], min_width=least, max_width=least + fit.spare)
        for term in terms:
            values = {
                "en": cell(term.en),
                "aliases": ", ".join(cell(a) for a in term.aliases),
                "origin": words["builtin"] if is_builtin(section, term) else words["registry"],
            }
            details = [
                f"{headers[name]}: {values[name]}"
                for name in fit.hidden(["en", "aliases", "origin"])
                if values[name]
            ]
            key = _text(term.key, "bold")
            if fit.key_columns:
                nl = _with_details(_text(term.nl), details)
                table.add_row(key, nl, *(Text(values[name]) for name in fit.shown))
            else:
                table.add_row(_with_details(_text(term.nl), details, heading=key), end_section=True)
        tables.append(table)
    return tables


def reports_table(
    rows: Sequence[tuple[AdviceReport, dict[str, int]]],
    vocabs: Vocabularies,
    *,
    width: int,
    lang: Language = "nl",
) -> Table:
    """`reports` for a terminal: each report's key and count whole, its name wrapping, with
    its dates, reaction and the count per status as fit (else on a line below)."""
    words = WORDS[lang]
    key_width = _widest(words["key"], (cell(report.key) for report, _ in rows))
    total_width = _widest(words["total"], (str(sum(c.values())) for _, c in rows))
    optional = [("date", len("2000-01-01")), ("reaction", 24)]
    names = [cell(report.name) for report, _ in rows]
    fit = layout(width, [key_width, total_width], optional, names)
    table = _table()
    _key_headers(table, fit, words["key"], words["total"], words["report"])
    headers = {"date": words["date"], "reaction": words["reaction"]}
    for name in fit.shown:
        table.add_column(headers[name], min_width=dict(optional)[name])
    for (report, counts), name in zip(rows, names, strict=True):
        values = {
            "date": report.date.isoformat(),
            "reaction": cell(f"{reaction_named(report, lang)}, {report.reaction.date.isoformat()}"),
        }
        details = [values[column] for column in fit.hidden(["date", "reaction"])]
        details += [
            SEPARATOR.join(
                f"{vocabs.statuses.label(key, lang)} {n}" for key, n in counts.items() if n
            )
        ]
        total = Text(str(sum(counts.values())), style="bold")
        cells = _row(fit, _text(report.key, "bold"), total, Text(name), details)
        table.add_row(*cells, *(_text(values[column]) for column in fit.shown), end_section=True)
    return table


def console(width: int | None = None) -> Console:
    """A console for stdout, at the terminal's width unless told otherwise."""
    return Console(highlight=False, soft_wrap=False, width=width, emoji=False)


def render(renderables: Sequence[RenderableType], width: int | None = None) -> str:
    """What printing `renderables` at a terminal shows, colours included, as one string."""
    out = console(width)
    with out.capture() as captured:
        for renderable in renderables:
            out.print(renderable)
    return captured.get()


def changes_table(
    changes: RegistryChanges, statuses: Vocabulary, *, width: int, lang: Language = "nl"
) -> Table:
    """`changes` for a terminal: the id and the kind of change whole, the detail wrapping;
    date and status as columns where they fit, else under the detail."""
    from wrrtrack.render.changes import WORDS, marker, note, rows, status_text, title

    words = WORDS[lang]
    found = rows(changes)
    kinds = [words[row.change] for row in found]
    states = [status_text(row, statuses, lang) for row in found]
    texts = [f"{marker(row, lang)} {row.detail}".strip() for row in found]
    optional = [
        ("date", len("2000-01-01")),
        ("status", min(_widest(words["status"], states), 32)),
    ]
    fit = layout(
        width,
        [_widest(words["id"], (cell(row.id) for row in found)), _widest(words["change"], kinds)],
        optional,
        (cell(text) for text in texts),
    )
    said = "\n".join(
        line for line in (note(changes, lang), None if found else words["none"]) if line
    )
    table = _table(title(changes, lang), said or None)
    _key_headers(table, fit, words["id"], words["change"], words["detail"])
    for name in fit.shown:
        table.add_column(words[name], no_wrap=name == "date")
    for row, kind, state, text in zip(found, kinds, states, texts, strict=True):
        values = {"date": row.date.isoformat() if row.date else "", "status": state}
        details = [values[name] for name in fit.hidden(["date", "status"]) if values[name]]
        cells = _row(fit, _text(row.id, "bold"), _text(kind), _text(text), details)
        table.add_row(
            *cells, *(_text(values[name]) for name in fit.shown), end_section=not fit.key_columns
        )
    return table
