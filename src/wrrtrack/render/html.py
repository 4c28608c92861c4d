"""The status report as one self-contained HTML page, to mail, archive or print.

No script, font, style sheet or image is loaded from anywhere: the styles are in the page
(screen and print), the charts are inline SVG with the same numbers as tables beside them,
and a Content-Security-Policy forbids everything else, so that even a page edited by hand
cannot make a reader's browser fetch or run anything. Every value from the registry
passes through `text()` (or `attribute()`) before it reaches the page.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from datetime import date
from typing import NamedTuple
from urllib.parse import quote

from wrrtrack._model import AdviceReport, Ledger, Recommendation, StatusChange
from wrrtrack._vocabulary import Language, Vocabulary
from wrrtrack.render import no_workflow_commands, visible
from wrrtrack.render.content import (
    ActorMatrix,
    Attention,
    Changes,
    ReportContent,
    StatusCount,
    ThemeGroup,
    clip,
    prepare,
    quote_sources,
    source_rows,
    web_link,
)

# Colour-blind-safe (Okabe-Ito), one per status in vocabulary order: open grey, exploring
# light blue, in progress blue, implemented green, deferred orange, rejected vermilion,
# lapsed purple; statuses a registry adds take the next ones, round again if need be.
PALETTE = ("#8c8c8c", "#56b4e9", "#0072b2", "#009e73", "#e69f00", "#d55e00", "#cc79a7", "#f0e442")

STYLE = """
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --head: #f6f8fa; --link: #0550ae; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 70rem; padding: 1rem 1.25rem 3rem; color: var(--ink);
  background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; overflow-wrap: break-word; }
a { color: var(--link); }
h1 { font-size: 1.75rem; line-height: 1.25; margin: .5rem 0 1rem; }
h2 { font-size: 1.4rem; margin: 2.5rem 0 .75rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
h4 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem;
  margin: .5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
nav.toc { background: var(--head); border: 1px solid var(--line); border-radius: 6px;
  padding: .5rem 1.25rem; margin: 1rem 0; }
nav.toc h2 { font-size: 1rem; margin: .25rem 0; border: 0; padding: 0; }
nav.toc ol { margin: .25rem 0; padding-left: 1.25rem; }
.scroll { overflow-x: auto; max-width: 100%;
  /* A shadow at an edge where more of the table lies, out of view. */
  background: linear-gradient(to right, #fff 30%, #fff0) left / 2rem 100% no-repeat local,
    linear-gradient(to left, #fff 30%, #fff0) right / 2rem 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, #0003, #0000) left / .75rem 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, #0003, #0000) right / .75rem 100% no-repeat
    scroll; }
table.cards th[scope="row"], time { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid var(--line); padding: .35rem .6rem; text-align: left;
  vertical-align: top; }
thead th { background: var(--head); }
tfoot th, tfoot td { font-weight: 700; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
table.counts { width: auto; min-width: 16rem; }
.status { font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
.chart { flex: 1 1 20rem; min-width: 0; margin: .5rem 0; }
.chart > svg { display: block; width: 100%; max-width: 26rem; height: auto; }
.chart figcaption { font-weight: 600; margin-bottom: .25rem; }
.chart text { font-size: 14px; fill: var(--ink); }
.chart text.count { font-weight: 700; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0;
  margin: .5rem 0 0; font-size: .9rem; }
ul.legend svg { vertical-align: -1px; margin-right: .3rem; }
figure.quote { margin: .5rem 0 1rem; }
blockquote { margin: 0; padding: .25rem 1rem; border-left: 4px solid var(--line);
  color: #333a42; }
blockquote p { margin: .25rem 0; }
figure.quote figcaption { font-size: .9rem; color: var(--muted); padding-left: 1.25rem; }
p.rec-title { font-weight: 600; font-size: 1.05rem; margin: .25rem 0; }
section.rec { margin-top: 1.5rem; }
section.rec + section.rec { border-top: 1px solid var(--line); }
footer { margin-top: 3rem; padding-top: .75rem; border-top: 1px solid var(--line);
  color: var(--muted); font-size: .9rem; font-style: italic; }
code { font-family: ui-monospace, "Cascadia Mono", Menlo, Consolas, monospace;
  font-size: .9em; background: var(--head); padding: 0 .2em; border-radius: 3px; }
@media screen and (max-width: 40rem) {
  body { padding: .75rem .75rem 2rem; }
  h1 { font-size: 1.4rem; }
  dl.facts { grid-template-columns: fit-content(50%) minmax(0, 1fr); }
  table.cards, table.cards tbody, table.cards tr, table.cards th, table.cards td {
    display: block; width: 100%; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .75rem;
    padding: .25rem .6rem; }
  table.cards th, table.cards td { border: 0; padding: .2rem 0; }
  table.cards [data-label]::before { content: attr(data-label); display: block;
    color: var(--muted); font-size: .8rem; font-weight: 600; }
}
@page { margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; color: #000; }
  nav.toc { display: none; }
  a { color: inherit; text-decoration: none; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 90%; word-break: break-all; }
  .scroll { overflow: visible; }
  h2, h3, h4, figcaption { break-after: avoid; }
  tr, figure, .chart, dl.facts { break-inside: avoid; }
  thead { display: table-header-group; }
  thead th, code, nav.toc { background: none; }
  svg, .legend { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
""".strip()

# A page of several reports adds: each report's section set off (and, printed, on a page
# of its own), its headings a level down.
STYLE_SEVERAL = (
    STYLE
    + """
section.report { margin-top: 3rem; }
section.report > h2 { font-size: 1.6rem; border-bottom-width: 3px; }
section.report h3 { font-size: 1.3rem; margin-top: 2rem; padding-bottom: .2rem;
  border-bottom: 1px solid var(--line); }
section.report h4 { font-size: 1.1rem; }
section.report h5 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
@media screen and (max-width: 40rem) {
  section.report > h2 { font-size: 1.3rem; }
  section.report h3 { font-size: 1.15rem; }
}
@media print {
  section.report { break-before: page; margin-top: 0; }
}
""".rstrip()
)


@functools.cache
def _policy(style: str) -> str:
    """Only the page's own style sheet may apply; nothing may load and no script may run."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return (
        "default-src 'none'; "
        f"style-src 'sha256-{digest}'; "
        "img-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'"
    )


_CODE = re.compile(r"`([^`]+)`")


# html.escape(quote=True) as one pass in C: a report of 10,000 items escapes 200,000 values.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def text(value: str | None) -> str:
    """Registry text as HTML text: on one line, control characters shown as escapes, and
    `&`, `<`, `>` and both quote marks escaped, so it is safe in text and in attributes."""
    if not value:
        return ""
    return visible(" ".join(value.split())).translate(_ESCAPES)


attribute = text  # the same escaping serves attribute values: quotes are escaped too


@functools.cache
def _ours(template: str) -> str:
    """One of our own texts: escaped like any other, `code` in backticks shown as code."""
    return _CODE.sub(r"<code>\1</code>", html.escape(template, quote=True))


def _fragment(rec: Recommendation) -> str:
    # Ids hold only letters, digits, '.', '_' and '-' (the schema says so); quote anyway.
    return "rec-" + quote(rec.id, safe="")


def _link(url: str | None, label: str) -> str:
    """`label` (already escaped) linked to `url` if it is a web address, else as it is."""
    safe = web_link(url)
    return f'<a href="{attribute(safe)}">{label}</a>' if safe else label


def _swatch(colour: str) -> str:
    return (
        '<svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true">'
        f'<rect width="12" height="12" fill="{colour}"/></svg>'
    )


class _Page:
    def __init__(self, content: ReportContent, depth: int = 0, prefix: str = "") -> None:
        self.c = content
        self.t = content.t
        self.vocab = content.vocab
        # A report's section in a page of several: its headings a level down, and its ids
        # prefixed, so that every id in the page is unique.
        self.depth = depth
        self.prefix = prefix
        self.colours = {
            key: PALETTE[i % len(PALETTE)] for i, key in enumerate(self.vocab.statuses.keys)
        }

    def label(self, vocabulary: Vocabulary, key: str) -> str:
        return self.c.label(vocabulary, key, text)

    def i(self, name: str) -> str:
        """The id of the place `name` (`summary`, `by-theme`) in this report's section."""
        return self.prefix + name

    def h(self, level: int, content: str, ident: str | None = None) -> str:
        """A heading of `level` (1: the page's title), `content` already made safe."""
        tag = f"h{level + self.depth}"
        where = f' id="{self.i(ident)}"' if ident else ""
        return f"<{tag}{where}>{content}</{tag}>"

    def section(self, name: str) -> str:
        """The start of the section `name`, labelled by its heading (`name`-h)."""
        return f'<section id="{self.i(name)}" aria-labelledby="{self.i(name)}-h">'

    def actors(self, rec: Recommendation) -> str:
        return self.c.actors(rec, text)

    # --- the page --------------------------------------------------------------------

    def render(self) -> str:
        c, t = self.c, self.t
        changes = c.changes()
        themes = [] if c.summary else c.themes()
        out = [
            *_head(c, STYLE),
            "<header>",
            f"<h1>{text(c.title)}</h1>",
            *self.facts(),
            "</header>",
            *_nav(t, [*self.contents(changes, themes), *_sources_entry(c)]),
            "<main>",
            *self.body(changes, themes),
            *_sources(c),
        ]
        return "\n".join([*out, *_end(t)])

    def facts(self) -> list[str]:
        """The reaction the report answers, and the day the report shows the registry."""
        c, t, report = self.c, self.t, self.c.ledger.report
        return [
            '<dl class="facts">',
            f"<dt>{text(c.reaction_label(report))}</dt><dd>{text(report.reaction.reference)}, "
            f"{_time(report.reaction.date)}</dd>",
            f"<dt>{_ours(t['as_of'])}</dt><dd>{_time(c.as_of)}</dd>",
            "</dl>",
        ]

    def body(self, changes: Changes | None, themes: list[ThemeGroup]) -> list[str]:
        """The report on one advisory report, after its title and facts."""
        c, t, report = self.c, self.t, self.c.ledger.report
        out = []
        if report.context and not c.summary:
            out += [f"<p><strong>{_ours(t['context'])}:</strong></p>"]
            out += [f"<blockquote><p>{text(s)}</p></blockquote>" for s in report.context]
        out += self.summary()
        for attention in (c.overdue(), c.stale()):
            if attention is not None:
                out += self.attention_section(attention)
        if changes is not None:
            out += self.changes_section(changes)
        if not c.summary:
            out += self.theme_tables(themes)
            out += [self.section("details"), self.h(2, _ours(t["details"]), "details-h")]
            for rec in c.ledger.recommendations:
                out += self.detail(rec)
            out += ["</section>"]
        return out

    def contents(
        self, changes: Changes | None, themes: list[ThemeGroup], *, nested: bool = True
    ) -> list[str]:
        """The entries of the table of contents for this report (`<li>` items); `nested`
        lists the parts of the summary and every theme too."""
        t, i = self.t, self.i
        summary = f'<li><a href="#{i("summary")}">{_ours(t["summary"])}</a>'
        if nested:
            summary += (
                f'<ol><li><a href="#{i("by-status")}">{_ours(t["by_status"])}</a></li>'
                f'<li><a href="#{i("by-actor")}">{_ours(t["by_actor"])}</a></li></ol>'
            )
        items = [summary + "</li>"]
        for attention in (self.c.overdue(), self.c.stale()):
            if attention is not None:
                items.append(
                    f'<li><a href="#{i(attention.name)}">{_ours(attention.heading)}</a></li>'
                )
        if changes is not None:
            items.append(f'<li><a href="#{i("changes")}">{text(changes.heading)}</a></li>')
        if not self.c.summary:
            sub = "".join(
                f'<li><a href="#{i(f"theme-{n}")}">{self.label(self.vocab.themes, g.key)}</a></li>'
                for n, g in enumerate(themes, 1)
            )
            sub = f"<ol>{sub}</ol>" if nested else ""
            items.append(f'<li><a href="#{i("by-theme")}">{_ours(t["by_theme"])}</a>{sub}</li>')
            items.append(f'<li><a href="#{i("details")}">{_ours(t["details"])}</a></li>')
        return items

    # --- summary: charts and tables ---------------------------------------------------

    def summary(self) -> list[str]:
        c = self.c
        counts = c.status_counts()
        matrix = c.actor_matrix()
        rows = [(text(row.label), row.counts, row.total) for row in matrix.rows]
        out = self.counts_section(
            counts,
            self.actor_chart(matrix),
            ("by_actor", "by-actor", "actor"),
            self.matrix_rows(matrix.statuses, rows),
        )
        return [*out[:-1], *self.relation_table(), out[-1]]  # inside the summary's section

    def relation_table(self) -> list[str]:
        """How many history entries respond to the advice and how many are related
        developments (nothing when no entry says)."""
        t, counts = self.t, self.c.relation_counts()
        if not counts:
            return []
        return [
            self.h(3, _ours(t["by_relation"]), "by-relation"),
            '<div class="scroll" tabindex="0">',
            '<table class="counts">',
            f'<thead><tr><th scope="col">{_ours(t["relation"])}</th>'
            f'<th scope="col" class="num">{_ours(t["count"])}</th></tr></thead>',
            "<tbody>",
            *(
                f'<tr><th scope="row">{text(r.label)}</th><td class="num">{r.total}</td></tr>'
                for r in counts
            ),
            "</tbody>",
            f'<tfoot><tr><th scope="row">{_ours(t["total"])}</th>'
            f'<td class="num">{sum(r.total for r in counts)}</td></tr></tfoot>',
            "</table>",
            "</div>",
        ]

    def counts_section(
        self,
        counts: list[StatusCount],
        chart: list[str],
        second: tuple[str, str, str],
        table: list[str],
    ) -> list[str]:
        """The summary: the status chart beside `chart`, the table of statuses, and the
        table `second` heads (its text key, id and first column's text key)."""
        t = self.t
        heading, ident, column = second
        return [
            self.section("summary"),
            self.h(2, _ours(t["summary"]), "summary-h"),
            '<div class="charts">',
            *self.status_chart(counts),
            *chart,
            "</div>",
            self.h(3, _ours(t["by_status"]), "by-status"),
            *self.status_table(counts),
            self.h(3, _ours(t[heading]), ident),
            '<div class="scroll" tabindex="0">',
            '<table class="counts">',
            "<thead><tr>",
            f'<th scope="col">{_ours(t[column])}</th>',
            *table,
            "</table>",
            "</div>",
            "</section>",
        ]

    def matrix_rows(
        self,
        statuses: tuple[StatusCount, ...],
        rows: list[tuple[str, tuple[int, ...], int]],
        foot: str = "",
    ) -> list[str]:
        """The rest of a table of counts per status: a column per status in use and the
        total, a row per (header, counts, total), then `foot` (a `<tfoot>`, if any)."""
        t = self.t
        out = [
            *(f'<th scope="col" class="num">{text(s.label)}</th>' for s in statuses),
            f'<th scope="col" class="num">{_ours(t["total"])}</th>',
            "</tr></thead>",
            "<tbody>",
        ]
        for head, counts, total in rows:
            cells = "".join(f'<td class="num">{n}</td>' for n in counts)
            out.append(
                f'<tr><th scope="row">{head}</th>{cells}'
                f'<td class="num"><strong>{total}</strong></td></tr>'
            )
        return [*out, "</tbody>", *([foot] if foot else [])]

    def status_table(self, counts: list[StatusCount]) -> list[str]:
        """How many recommendations have each status in use, and all of them."""
        t = self.t
        return [
            '<div class="scroll" tabindex="0">',
            '<table class="counts">',
            f'<thead><tr><th scope="col">{_ours(t["status"])}</th>'
            f'<th scope="col" class="num">{_ours(t["count"])}</th></tr></thead>',
            "<tbody>",
            *(
                f'<tr><th scope="row">{text(s.label)}</th><td class="num">{s.total}</td></tr>'
                for s in counts
            ),
            "</tbody>",
            f'<tfoot><tr><th scope="row">{_ours(t["total"])}</th>'
            f'<td class="num">{len(self.c.ledger.recommendations)}</td></tr></tfoot>',
            "</table>",
            "</div>",
        ]

    def status_chart(self, counts: list[StatusCount]) -> list[str]:
        """One bar per status in use, its label above it and its count after it."""
        t = self.t
        desc = "; ".join(t["chart_desc"].format(label=s.label, count=s.total) for s in counts)
        bars = [Bar(s.label, ((s.total, self.colours[s.key]),), s.total) for s in counts]
        return _bar_chart(self.i("chart-status"), t["chart_status"], desc, bars)

    def actor_chart(self, matrix: ActorMatrix) -> list[str]:
        """One bar per actor, split by status; the legend names the colours."""
        rows = [(row.label, row.counts, row.total) for row in matrix.rows]
        return self.stacked_chart(
            self.i("chart-actor"), self.t["chart_actor"], matrix.statuses, rows
        )

    def stacked_chart(
        self,
        ident: str,
        title: str,
        statuses: tuple[StatusCount, ...],
        rows: list[tuple[str, tuple[int, ...], int]],
    ) -> list[str]:
        """One bar per (label, counts, total) of `rows`, split by `statuses`, with a legend.
        A label too long to fit above its bar is shortened there, and given whole in the
        description (and in the table beside the chart)."""
        t = self.t
        desc = "; ".join(
            f"{label}: "
            + ", ".join(
                t["chart_desc"].format(label=s.label, count=n)
                for s, n in zip(statuses, counts, strict=True)
                if n
            )
            for label, counts, _ in rows
        )
        bars = [
            Bar(
                clip(label, _LABEL) or "",
                tuple((n, self.colours[s.key]) for s, n in zip(statuses, counts, strict=True)),
                total,
            )
            for label, counts, total in rows
        ]
        return _bar_chart(ident, title, desc, bars, self.legend(statuses))

    def legend(self, statuses: tuple[StatusCount, ...]) -> list[str]:
        """What each colour of a chart split by status means."""
        return [
            '<ul class="legend">',
            *(f"<li>{_swatch(self.colours[s.key])}{text(s.label)}</li>" for s in statuses),
            "</ul>",
        ]

    # --- changes, themes, details ---------------------------------------------------------

    def attention_section(self, attention: Attention) -> list[str]:
        """The items past their deadline, or long without a new entry (a summary leaves
        out their titles, to stay small)."""
        t, c = self.t, self.c
        overdue = attention.name == "overdue"
        titled = not c.summary
        heads = (
            t["id"],
            *((t["recommendation"],) if titled else ()),
            t["status"],
            t["due"] if overdue else t["changed"],
        )
        out = [
            self.section(attention.name),
            self.h(2, _ours(attention.heading), f"{attention.name}-h"),
            *_table_head(heads),
        ]
        for rec in attention.recommendations:
            ident = text(c.brief(rec.id))
            if titled:  # a summary has no details to link to
                ident = f'<a href="#{_fragment(rec)}">{ident}</a>'
            day = rec.due if overdue and rec.due else rec.updated
            cells = [
                ident,
                *([text(rec.title)] if titled else []),
                self.label(self.vocab.statuses, rec.status),
                _time(day),
            ]
            out.append(_row(heads, cells))
        out += ["</tbody>", "</table>", "</div>"]
        if attention.more:
            out.append(f"<p>{_ours(t['more_items'].format(more=attention.more))}</p>")
        return [*out, "</section>"]

    def noted(self, change: StatusChange) -> str:
        """A history entry's note, after the marker of its relation to the advice."""
        note = text(self.c.brief(change.note))
        marker = self.c.marker(change)
        if marker is None:
            return note
        mark = f'<em class="relation">{_ours(marker)}</em>'
        return f"{mark} {note}" if note else mark

    def changes_section(self, changes: Changes) -> list[str]:
        t, c = self.t, self.c
        out = [self.section("changes"), self.h(2, text(changes.heading), "changes-h")]
        if not changes.entries:
            if changes.empty:
                out.append(f"<p>{text(changes.empty)}</p>")
            return [*out, "</section>"]
        heads = (t["date"], t["id"], t["status"], t["note"], t["by"])
        out += _table_head(heads)
        for rec, change in changes.entries:
            ident = text(c.brief(rec.id))
            if not c.summary:  # a summary has no details to link to
                ident = f'<a href="#{_fragment(rec)}">{ident}</a>'
            out.append(
                _row(
                    heads,
                    [
                        _time(change.date),
                        ident,
                        self.label(self.vocab.statuses, change.status),
                        self.noted(change),
                        text(c.brief(change.by)),
                    ],
                )
            )
        out += ["</tbody>", "</table>", "</div>"]
        if changes.more:
            out.append(f"<p>{_ours(t['more_changes'].format(more=changes.more))}</p>")
        return [*out, "</section>"]

    def theme_tables(self, themes: list[ThemeGroup]) -> list[str]:
        t = self.t
        heads = (t["id"], t["recommendation"], t["stance"], t["actors"], t["status"], t["changed"])
        out = [self.section("by-theme"), self.h(2, _ours(t["by_theme"]), "by-theme-h")]
        for i, group in enumerate(themes, 1):
            out.append(self.h(3, self.label(self.vocab.themes, group.key), f"theme-{i}"))
            out += _table_head(heads)
            for r in group.recommendations:
                out.append(
                    _row(
                        heads,
                        [
                            f'<a href="#{_fragment(r)}">{text(r.id)}</a>',
                            text(r.title),
                            self.label(self.vocab.stances, r.stance),
                            self.actors(r),
                            f'<span class="status">{self.label(self.vocab.statuses, r.status)}'
                            "</span>",
                            _time(r.updated),
                        ],
                    )
                )
            out += ["</tbody>", "</table>", "</div>"]
        return [*out, "</section>"]

    def detail(self, rec: Recommendation) -> list[str]:
        t, v = self.t, self.vocab
        source = self.c.attribution(rec)
        url = web_link(source.url)
        cite = f' cite="{attribute(url)}"' if url else ""
        caption = f"— <cite>{_link(url, text(source.label))}</cite>"
        out = [
            f'<section class="rec" id="{_fragment(rec)}" aria-labelledby="{_fragment(rec)}-h">',
            # Not prefixed: ids are unique in the registry, and the tables of changes link here.
            f'<h{3 + self.depth} id="{_fragment(rec)}-h">{text(rec.id)}</h{3 + self.depth}>',
            f'<p class="rec-title">{text(rec.title)}</p>',
            '<dl class="facts">',
            f"<dt>{_ours(t['theme'])}</dt><dd>{self.label(v.themes, rec.theme)}</dd>",
            f"<dt>{_ours(t['stance'])}</dt><dd>{self.label(v.stances, rec.stance)}</dd>",
            f"<dt>{_ours(t['actors'])}</dt><dd>{self.actors(rec)}</dd>",
            f'<dt>{_ours(t["status"])}</dt><dd><span class="status">'
            f"{self.label(v.statuses, rec.status)}</span> ({_time(rec.updated)})</dd>",
            "</dl>",
            self.h(4, _ours(t["quotes"])),
        ]
        for quote_text in rec.quotes:
            out += [
                '<figure class="quote">',
                f"<blockquote{cite}><p>{text(quote_text)}</p></blockquote>",
                f"<figcaption>{caption}</figcaption>",
                "</figure>",
            ]
        heads = (t["date"], t["status"], t["note"], t["by"], t["source"])
        out += [self.h(4, _ours(t["history"])), *_table_head(heads)]
        out += [_row(heads, self.history_cells(c)) for c in rec.history]
        out += ["</tbody>", "</table>", "</div>"]
        for change in rec.history:
            if not change.quotes:
                continue
            where = self.c.documented(change)
            url = web_link(where.url)
            cited = f' cite="{attribute(url)}"' if url else ""
            caption = (
                f"— {_time(change.date)}, {_ours(t['quoted_from'])} "
                f"<cite>{_link(url, text(where.label))}</cite>"
            )
            out += [
                '<figure class="quote">',
                *(f"<blockquote{cited}><p>{text(q)}</p></blockquote>" for q in change.quotes),
                f"<figcaption>{caption}</figcaption>",
                "</figure>",
            ]
        return [*out, "</section>"]

    def history_cells(self, c: StatusChange) -> list[str]:
        where = self.c.documented(c)
        source = text(where.label)
        if where.url:
            source = _link(where.url, source)
        # A source that is a bare web address is offered as a link to it.
        elif c.source and " " not in c.source.strip():
            source = _link(c.source.strip(), source)
        return [
            _time(c.date),
            self.label(self.vocab.statuses, c.status),
            self.noted(c),
            text(c.by),
            source,
        ]


class _Several(_Page):
    """A page on several advisory reports: a summary across them (a chart and a table of
    each report's counts per status), then a section for each report, written as the page
    on that report alone would be (a level down), then the sources."""

    def render(self) -> str:
        c, t = self.c, self.t
        parts = [_Page(part, depth=1, prefix=f"r{n}-") for n, part in enumerate(c.per_report(), 1)]
        changes = [part.c.changes() for part in parts]
        themes = [[] if c.summary else part.c.themes() for part in parts]
        entries = [
            f'<li><a href="#summary">{_ours(t["summary"])}</a><ol>'
            f'<li><a href="#by-status">{_ours(t["by_status"])}</a></li>'
            f'<li><a href="#by-report">{_ours(t["by_report"])}</a></li></ol></li>'
        ]
        for part, found, listed in zip(parts, changes, themes, strict=True):
            report = part.c.ledger.report
            inner = "".join(part.contents(found, listed, nested=False))
            entries.append(
                f'<li><a href="#{_section_id(report)}">{text(report.name)}</a><ol>{inner}</ol></li>'
            )
        entries += _sources_entry(c)
        out = [
            *_head(c, STYLE_SEVERAL),
            "<header>",
            f"<h1>{text(c.title)}</h1>",
            '<dl class="facts">',
            f"<dt>{_ours(t['as_of'])}</dt><dd>{_time(c.as_of)}</dd>",
            "</dl>",
            "</header>",
            *_nav(t, entries),
            "<main>",
            *self.across(),
        ]
        for part, found, listed in zip(parts, changes, themes, strict=True):
            report = part.c.ledger.report
            ident = _section_id(report)
            out += [
                f'<section class="report" id="{ident}" aria-labelledby="{ident}-h">',
                f'<h2 id="{ident}-h">{text(c.section_title(report))}</h2>',
                *part.facts(),
                *part.body(found, listed),
                "</section>",
            ]
        out += _sources(c)
        return "\n".join([*out, *_end(t)])

    def across(self) -> list[str]:
        """The counts across the reports: per status, and per report by status."""
        t, c = self.t, self.c
        used = c.status_counts()
        rows = c.report_counts([s.key for s in used])
        by_report = self.stacked_chart(
            "chart-report",
            t["chart_report"],
            tuple(used),
            [(report.name, tuple(counts), total) for report, counts, total in rows],
        )
        heads = [
            (f'<a href="#{_section_id(report)}">{text(report.name)}</a>', tuple(counts), total)
            for report, counts, total in rows
        ]
        totals = "".join(f'<td class="num">{s.total}</td>' for s in used)
        foot = (
            f'<tfoot><tr><th scope="row">{_ours(t["total"])}</th>{totals}'
            f'<td class="num">{len(c.ledger.recommendations)}</td></tr></tfoot>'
        )
        return self.counts_section(
            used,
            by_report,
            ("by_report", "by-report", "report"),
            self.matrix_rows(tuple(used), heads, foot),
        )


def _sources_entry(c: ReportContent) -> list[str]:
    """The sources' entry in the table of contents: a full report lists them."""
    return [] if c.summary else [f'<li><a href="#sources">{_ours(c.t["sources"])}</a></li>']


def _sources(c: ReportContent) -> list[str]:
    """The documents the quotes are checked against: id, the document (linked to where it
    is published, with its kind, site and date), and its stored text. A full report ends
    with them, as the Markdown report does."""
    if c.summary:
        return []
    t = c.t
    heads = (t["id"], t["source"], t["stored_text"])
    out = [
        '<section id="sources" aria-labelledby="sources-h">',
        f'<h2 id="sources-h">{_ours(t["sources"])}</h2>',
        *_table_head(heads),
    ]
    for row in source_rows(quote_sources(c.ledger), c.lang):
        named = _link(row.url, text(row.name)) + (f" ({text(row.detail)})" if row.detail else "")
        stored = f"<code>{text(row.file)}</code>" + (f" ({text(row.stored)})" if row.stored else "")
        out.append(_row(heads, [text(row.id), named, stored]))
    return [*out, "</tbody>", "</table>", "</div>", "</section>"]


def _section_id(report: AdviceReport) -> str:
    # Keys hold only lower-case letters, digits and '-' (the schema says so).
    return "report-" + quote(report.key, safe="")


def _head(c: ReportContent, style: str) -> list[str]:
    """The start of the page up to its body: the policy allows `style` and nothing else."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{c.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_policy(style)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="wrrtrack">',
        f"<title>{text(c.title)}</title>",
        f"<style>{style}</style>",
        "</head>",
        "<body>",
    ]


def _nav(t: dict[str, str], items: list[str]) -> list[str]:
    """The table of contents, of the `<li>` entries `items`."""
    return [
        '<nav class="toc" aria-labelledby="toc-h">',
        f'<h2 id="toc-h">{_ours(t["contents"])}</h2>',
        f"<ol>{''.join(items)}</ol>",
        "</nav>",
    ]


def _end(t: dict[str, str]) -> list[str]:
    return ["</main>", f"<footer><p>{_ours(t['generated'])}</p></footer>", "</body>", "</html>", ""]


def _time(day: date) -> str:
    iso = day.isoformat()
    return f'<time datetime="{iso}">{iso}</time>'


def _table_head(heads: tuple[str, ...]) -> list[str]:
    """The start of a data table: on a phone its rows become cards, each cell labelled."""
    cells = "".join(f'<th scope="col">{_ours(h)}</th>' for h in heads)
    return [
        '<div class="scroll">',
        '<table class="cards">',
        f"<thead><tr>{cells}</tr></thead>",
        "<tbody>",
    ]


@functools.cache
def _cell_starts(heads: tuple[str, ...]) -> tuple[str, ...]:
    first, *rest = (_ours(h) for h in heads)
    return (
        f'<th scope="row" data-label="{first}">',
        *(
            f'</td><td data-label="{h}">' if i else f'</th><td data-label="{h}">'
            for i, h in enumerate(rest)
        ),
    )


def _row(heads: tuple[str, ...], cells: list[str]) -> str:
    """A row whose first cell heads it; each cell carries its column's name for the cards."""
    starts = _cell_starts(heads)
    return "<tr>" + "".join(a + b for a, b in zip(starts, cells, strict=True)) + "</td></tr>"


# Bar charts: label above each bar (so long labels need no column of their own and the
# chart stays readable on a phone), the count after it.
_WIDTH = 360
_ROW = 42
_BAR = 16
_COUNT_ROOM = 40
_LABEL = 44  # characters of a label that fit above a bar


class Bar(NamedTuple):
    label: str
    segments: tuple[tuple[int, str], ...]  # (count, colour), left to right
    total: int


def _bar_chart(
    ident: str, title: str, desc: str, bars: list[Bar], legend: list[str] | None = None
) -> list[str]:
    """An accessible SVG bar chart (title, description with every number) of `bars`."""
    most = max((bar.total for bar in bars), default=0) or 1
    scale = (_WIDTH - _COUNT_ROOM) / most
    height = max(_ROW * len(bars), _ROW) + 4
    shapes = []
    for i, (label, segments, total) in enumerate(bars):
        top = i * _ROW
        shapes.append(f'<text x="0" y="{top + 14}">{text(label)}</text>')
        x = 0.0
        for count, colour in segments:
            if count:
                width = count * scale
                shapes.append(
                    f'<rect x="{x:.1f}" y="{top + 20}" width="{width:.1f}" height="{_BAR}" '
                    f'fill="{colour}"/>'
                )
                x += width
        shapes.append(
            f'<text class="count" x="{x + 6:.1f}" y="{top + 20 + _BAR - 3}">{total}</text>'
        )
    return [
        f'<figure class="chart" id="{ident}">',
        f'<figcaption id="{ident}-caption">{text(title)}</figcaption>',
        f'<svg viewBox="0 0 {_WIDTH} {height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{text(title)}</title>',
        f'<desc id="{ident}-desc">{text(desc)}</desc>',
        *shapes,
        "</svg>",
        *(legend or []),
        "</figure>",
    ]


def status_report(
    ledger: Ledger,
    *,
    lang: Language = "nl",
    as_of: date | None = None,
    since: date | None = None,
    summary: bool = False,
) -> str:
    """The report as one HTML page, with the content of the Markdown report. The same
    ledger and arguments give the same bytes, always."""
    content = prepare(ledger, lang=lang, as_of=as_of, since=since, summary=summary)
    page = _Page(content) if len(ledger.reports) == 1 else _Several(content)
    return no_workflow_commands(page.render(), "&#58;")
