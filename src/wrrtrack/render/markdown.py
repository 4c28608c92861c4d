"""The status report in Markdown, as GitHub renders it, in Dutch or English.

Every piece of registry text passes through `inline()` before it reaches the document, so
that no title, note or quote can change the report's structure or inject HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import quote as url_quote

from wrrtrack._model import Ledger, Recommendation, Source, StatusChange
from wrrtrack._vocabulary import Language, Vocabulary
from wrrtrack.render import no_workflow_commands, visible
from wrrtrack.render.content import (
    TEXT,
    Attention,
    Changes,
    ReportContent,
    StatusCount,
    prepare,
    quote_sources,
    source_rows,
    web_link,
)

if TYPE_CHECKING:
    from wrrtrack._changes import RegistryChanges

# One pass in C: HTML as text, Markdown punctuation escaped.
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{c: "\\" + c for c in "\\`*_[]|~"}}
)
_LINE_START = re.compile(r"[#+=-]|\d+[.)]")


def inline(text: str | None) -> str:
    """Registry text made safe to place anywhere in a line of Markdown.

    Line breaks become spaces (a table row or heading must stay one line), other control
    characters are written as escapes (`\\x1b`), HTML is shown as
    text, Markdown punctuation is escaped, and a line-start marker (`#`, `-`, `1.`) is
    escaped so that the text cannot start a heading or a list.
    """
    if not text:
        return ""
    flat = visible(" ".join(text.split())).translate(_ESCAPES)
    return "\\" + flat if _LINE_START.match(flat) else flat


def link(text: str, url: str | None) -> str:
    """`text` (already made safe) linked to `url` when that is a web address (see
    `content.web_link`); otherwise the text alone."""
    found = web_link(url)
    return f"[{text}](<{_url(found)}>)" if found is not None else text


def sources_table(sources: Iterable[Source], lang: Language) -> list[str]:
    """A table of sources: id, the document (linked to where it is published), stored file."""
    t = TEXT[lang]
    rows = [
        [
            inline(row.id),
            link(inline(row.name), row.url) + (f" ({inline(row.detail)})" if row.detail else ""),
            inline(row.file) + (f" ({inline(row.stored)})" if row.stored else ""),
        ]
        for row in source_rows(sources, lang)
    ]
    return _table([t["id"], t["source"], t["stored_text"]], rows)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    rule = [("---:" if a == "r" else "---") for a in align.ljust(len(header), "l")]
    return [_row(header), _row(rule), *(_row(r) for r in rows), ""]


# Mermaid's own entity syntax (`#quot;`), decoded when it draws the label; `#` first.
_MERMAID = str.maketrans({"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "%": "#37;"})


def mermaid_text(text: str) -> str:
    """Registry text made safe inside a quoted Mermaid label: one line, no control
    characters, and quote marks (which would end the label), `#` (which starts an entity),
    `%` (`%%{init: …}%%` is a directive wherever it stands) and angle brackets (which a
    renderer might take for HTML) written as entities."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat.translate(_MERMAID)


class _Report:
    def __init__(self, content: ReportContent, depth: int = 0) -> None:
        self.c = content
        self.t = content.t
        self.vocab = content.vocab
        self.depth = depth  # a report's section in a report of several is one level down

    def h(self, level: int) -> str:
        """The Markdown of a heading of `level` (1: the title), with its space."""
        return "#" * (level + self.depth) + " "

    def label(self, vocabulary: Vocabulary, key: str) -> str:
        return self.c.label(vocabulary, key, inline)

    def actors(self, rec: Recommendation) -> str:
        return self.c.actors(rec, inline)

    def render(self) -> str:
        c, t, report = self.c, self.t, self.c.ledger.report
        out = [
            f"{self.h(1)}{inline(c.title)}",
            "",
            f"- **{inline(c.reaction_label(report))}:** "
            f"{link(inline(report.reaction.reference), report.reaction.url)}, "
            f"{report.reaction.date.isoformat()}",
            f"- **{t['as_of']}:** {c.as_of.isoformat()}",
            "",
        ]
        if report.context and not c.summary:
            out += [f"**{t['context']}:**", ""]
            for sentence in report.context:
                out += [f"> {inline(sentence)}", ""]
        out += [f"{self.h(2)}{t['summary']}", ""]
        out += self.status_summary()
        out += self.actor_summary()
        out += self.relation_summary()
        for attention in (c.overdue(), c.stale()):
            if attention is not None:
                out += self.attention_section(attention)
        changes = c.changes()
        if changes is not None:
            out += self.changes_section(changes)
        if not c.summary:
            out += self.theme_tables()
            out += [f"{self.h(2)}{t['details']}", ""]
            for rec in c.ledger.recommendations:
                out += self.detail(rec)
        if not c.summary and not self.depth:
            out += [f"## {t['sources']}", ""]
            out += sources_table(quote_sources(c.ledger), c.lang)
        if not self.depth:
            out += ["---", "", f"*{t['generated']}*", ""]
        return "\n".join(out)

    def status_summary(self) -> list[str]:
        t = self.t
        counts = self.c.status_counts()
        rows = [[inline(s.label), str(s.total)] for s in counts]
        rows.append([f"**{t['total']}**", f"**{len(self.c.ledger.recommendations)}**"])
        return [
            f"{self.h(3)}{t['by_status']}",
            "",
            *self.pie(counts),
            *_table([t["status"], t["count"]], rows, "lr"),
        ]

    def pie(self, counts: list[StatusCount]) -> list[str]:
        """A Mermaid pie of the statuses, which GitHub draws; plain code elsewhere."""
        if not counts:
            return []
        slices = [f'    "{mermaid_text(s.label)}" : {s.total}' for s in counts]
        title = mermaid_text(self.t["chart_status"])
        return ["```mermaid", "pie showData", f"    title {title}", *slices, "```", ""]

    def actor_summary(self) -> list[str]:
        """A matrix: per actor, how many of its recommendations are in each status."""
        t = self.t
        matrix = self.c.actor_matrix()
        rows = [
            [inline(row.label), *(str(n) for n in row.counts), f"**{row.total}**"]
            for row in matrix.rows
        ]
        header = [t["actor"], *(inline(s.label) for s in matrix.statuses), t["total"]]
        align = "l" + "r" * (len(matrix.statuses) + 1)
        return [f"{self.h(3)}{t['by_actor']}", "", *_table(header, rows, align)]

    def relation_summary(self) -> list[str]:
        """How many history entries respond to the advice and how many are related
        developments (nothing when no entry says)."""
        t, counts = self.t, self.c.relation_counts()
        if not counts:
            return []
        rows = [[inline(r.label), str(r.total)] for r in counts]
        rows.append([f"**{t['total']}**", f"**{sum(r.total for r in counts)}**"])
        return [
            f"{self.h(3)}{t['by_relation']}",
            "",
            *_table([t["relation"], t["count"]], rows, "lr"),
        ]

    def attention_section(self, attention: Attention) -> list[str]:
        """The items past their deadline, or long without a new entry (a summary leaves
        out their titles, to stay small)."""
        t, c = self.t, self.c
        overdue = attention.name == "overdue"
        titled = not c.summary
        header = [t["id"], *([t["recommendation"]] if titled else []), t["status"]]
        header.append(t["due"] if overdue else t["changed"])
        rows = [
            [
                self.link(rec) if titled else inline(c.brief(rec.id)),
                *([inline(rec.title)] if titled else []),
                self.label(self.vocab.statuses, rec.status),
                (rec.due if overdue and rec.due else rec.updated).isoformat(),
            ]
            for rec in attention.recommendations
        ]
        out = [f"{self.h(2)}{attention.heading}", "", *_table(header, rows)]
        if attention.more:
            out += [t["more_items"].format(more=attention.more), ""]
        return out

    def noted(self, change: StatusChange) -> str:
        """A history entry's note, after the marker of its relation to the advice."""
        note = inline(self.c.brief(change.note))
        marker = self.c.marker(change)
        if marker is None:
            return note
        return f"*{marker}* {note}" if note else f"*{marker}*"

    def changes_section(self, changes: Changes) -> list[str]:
        t, c = self.t, self.c
        out = [f"{self.h(2)}{changes.heading}", ""]
        if not changes.entries:
            return [*out, changes.empty, ""] if changes.empty else out
        out += _table(
            [t["date"], t["id"], t["status"], t["note"], t["by"]],
            [
                [
                    change.date.isoformat(),
                    # A summary has no detail sections to link to.
                    inline(c.brief(rec.id)) if c.summary else self.link(rec),
                    self.label(self.vocab.statuses, change.status),
                    self.noted(change),
                    inline(c.brief(change.by)),
                ]
                for rec, change in changes.entries
            ],
        )
        if changes.more:
            out += [t["more_changes"].format(more=changes.more), ""]
        return out

    def link(self, rec: Recommendation) -> str:
        return f"[{inline(rec.id)}](#{anchor(rec.id)})"

    def theme_tables(self) -> list[str]:
        t = self.t
        out = [f"{self.h(2)}{t['by_theme']}", ""]
        for group in self.c.themes():
            out += [f"{self.h(3)}{inline(group.label)}", ""]
            out += _table(
                [t["id"], t["recommendation"], t["stance"], t["actors"], t["status"], t["changed"]],
                [
                    [
                        self.link(r),
                        inline(r.title),
                        self.label(self.vocab.stances, r.stance),
                        self.actors(r),
                        f"**{self.label(self.vocab.statuses, r.status)}**",
                        r.updated.isoformat(),
                    ]
                    for r in group.recommendations
                ],
            )
        return out

    def detail(self, rec: Recommendation) -> list[str]:
        t, v = self.t, self.vocab
        source = self.c.attribution(rec)
        cited = link(inline(source.label), source.url)
        out = [
            # Always `###`: the links to it are `#id`, however deep the section is.
            f"### {inline(rec.id)}" if not self.depth else f"{self.h(3)}{inline(rec.id)}",
            "",
            f"**{inline(rec.title)}**",
            "",
            f"- **{t['theme']}:** {self.label(v.themes, rec.theme)}",
            f"- **{t['stance']}:** {self.label(v.stances, rec.stance)}",
            f"- **{t['actors']}:** {self.actors(rec)}",
            f"- **{t['status']}:** {self.label(v.statuses, rec.status)} "
            f"({rec.updated.isoformat()})",
            "",
            f"{cited}:",
            "",
        ]
        for quote in rec.quotes:
            out += [f"> {inline(quote)}", ""]
        out += [f"**{t['history']}**", ""]
        out += _table(
            [t["date"], t["status"], t["note"], t["by"], t["source"]],
            [self.history_row(c) for c in rec.history],
        )
        for change in rec.history:
            if change.quotes:
                where = self.c.documented(change)
                out += [
                    f"{change.date.isoformat()}, {t['quoted_from']} "
                    f"{link(inline(where.label), where.url)}:",
                    "",
                ]
                out += [line for quote in change.quotes for line in (f"> {inline(quote)}", "")]
        return out

    def history_row(self, c: StatusChange) -> list[str]:
        return [
            c.date.isoformat(),
            self.label(self.vocab.statuses, c.status),
            self.noted(c),
            inline(c.by),
            link(inline((where := self.c.documented(c)).label), where.url),
        ]


def _url(url: str) -> str:
    """A web address inside a Markdown link's angle brackets: characters that could end
    the link, the table cell or the HTML attribute it becomes are percent-encoded."""
    return "".join(c if c.isascii() and c not in ' <>|"\\`' else url_quote(c) for c in url)


def list_table(recs: list[Recommendation]) -> str:
    """`list --format md`: one Markdown table with the columns and keys of every text format."""
    from wrrtrack.render.plain import LIST_FIELDS, list_row

    rows = [[inline(v) for v in list_row(r)] for r in recs]
    return no_workflow_commands("\n".join(_table(list(LIST_FIELDS), rows)))


def anchor(identifier: str) -> str:
    """The fragment GitHub gives the heading `### {id}`: lower case, punctuation other than
    '-' and '_' dropped, spaces as '-'."""
    return re.sub(r"[^a-z0-9 _-]", "", identifier.casefold()).replace(" ", "-")


def status_report(
    ledger: Ledger,
    *,
    lang: Language = "nl",
    as_of: date | None = None,
    since: date | None = None,
    summary: bool = False,
) -> str:
    """The whole status report, or with `summary` its counts and changes only. The same
    ledger and arguments give the same text, always.

    With `as_of`, the report shows the registry as it stood on that date (see
    `Ledger.as_at`); without it, as it stands now, dated by its newest change.
    """
    content = prepare(ledger, lang=lang, as_of=as_of, since=since, summary=summary)
    report = _Report(content) if len(ledger.reports) == 1 else _Several(content)
    text = no_workflow_commands(report.render())
    return _capped(text, content.t["summary_cut"]) if summary else text


# GitHub takes at most 1 MiB (1,048,576 bytes) of a job summary; a summary is cut to less,
# leaving room for its note and for what else a step writes there.
SUMMARY_BYTES = 1_000_000
_PARTIAL_ESCAPE = re.compile(r"(?:\\|&[#0-9A-Za-z]*)$")


def _capped(text: str, note: str, limit: int = SUMMARY_BYTES) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 with `note` saying how much was left
    out, at a line break where one is in reach, never inside an escape or a code block."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    kept = data[: limit - 2 * len(note) - 100].decode("utf-8", errors="ignore")
    line_end = kept.rfind("\n")
    # One line longer than the limit (a title) ends at a whole character, not in an escape.
    kept = kept[: line_end + 1] if line_end > 0 else _PARTIAL_ESCAPE.sub("", kept) + " …\n"
    if sum(line.startswith("```") for line in kept.splitlines()) % 2:
        kept += "```\n"  # the code block (a chart) the cut ends in
    left = len(data) - len(kept.encode("utf-8"))
    return f"{kept}\n*{note.format(left=left, total=len(data))}*\n"


class _Several(_Report):
    """A report on several advisory reports: a summary across them, then one section for
    each report, written as the report on that report alone would be (a level down)."""

    def render(self) -> str:
        c, t = self.c, self.t
        out = [
            f"# {inline(c.title)}",
            "",
            f"- **{t['as_of']}:** {c.as_of.isoformat()}",
            "",
            f"## {t['summary']}",
            "",
            *self.across(),
        ]
        for part in c.per_report():
            out += [_Report(part, depth=1).render()]
        if not c.summary:
            out += [f"## {t['sources']}", ""]
            out += sources_table(quote_sources(c.ledger), c.lang)
        out += ["---", "", f"*{t['generated']}*", ""]
        return "\n".join(out)

    def across(self) -> list[str]:
        """Per report, how many of its recommendations are in each status in use."""
        t = self.t
        used = self.c.status_counts()
        rows = []
        for report, counts, total in self.c.report_counts([s.key for s in used]):
            name = f"[{inline(report.name)}](#{anchor(self.c.section_title(report))})"
            rows.append([name, *(str(n) for n in counts), f"**{total}**"])
        totals = [str(s.total) for s in used]
        rows.append([f"**{t['total']}**", *totals, f"**{len(self.c.ledger.recommendations)}**"])
        header = [t["report"], *(inline(s.label) for s in used), t["total"]]
        return [*self.pie(used), *_table(header, rows, "l" + "r" * (len(used) + 1))]


def changes_table(changes: RegistryChanges, statuses: Vocabulary, lang: Language) -> str:
    """`changes --format md`: a heading and one GFM table row per change (for a pull
    request or a job summary); every cell made safe by `inline`."""
    from wrrtrack.render.changes import WORDS, marker, note, rows, status_text, title

    words = WORDS[lang]
    out = [f"## {inline(title(changes, lang))}", ""]
    said = note(changes, lang)
    if said:
        out += [inline(said), ""]
    found = rows(changes)
    if not found:
        return "\n".join([*out, words["none"], ""])
    out += _table(
        [words["change"], words["id"], words["date"], words["status"], words["detail"]],
        [
            [
                inline(words[row.change]),
                inline(row.id),
                row.date.isoformat() if row.date else "",
                inline(status_text(row, statuses, lang)),
                f"*{marker(row, lang)}* {inline(row.detail)}".rstrip()
                if row.relation
                else inline(row.detail),
            ]
            for row in found
        ],
    )
    return "\n".join(out)
