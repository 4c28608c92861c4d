"""Output for people at a terminal: Rich tables with colour (NO_COLOR is honoured by Rich)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from wrrtrack._model import Recommendation, Source, StatusChange
from wrrtrack.render import visible

STATUS_STYLES = {
    "open": "yellow",
    "in-verkenning": "cyan",
    "in-uitvoering": "blue",
    "uitgevoerd": "green",
    "doorgeschoven": "magenta",
    "afgewezen": "red",
    "vervallen": "dim",
}


def safe(text: str | None, style: str = "") -> Text:
    """Registry or user text for a Rich renderable: control characters escaped (the same
    `visible` as plain output), and `[bold]` or any other markup shown as the text it is."""
    return Text(visible(text or ""), style=style)


def _status(key: str) -> Text:
    return safe(key, STATUS_STYLES.get(key, ""))


def list_table(recs: list[Recommendation], title: str, caption: str) -> Table:
    table = Table(
        title=safe(title), caption=safe(caption), title_justify="left", caption_justify="left"
    )
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("status", no_wrap=True)
    table.add_column("stance", no_wrap=True, max_width=14, overflow="ellipsis")
    table.add_column("actors", max_width=22)
    table.add_column("theme", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("updated", no_wrap=True)
    table.add_column("title", ratio=1, min_width=36)
    for rec in recs:
        table.add_row(
            safe(rec.id),
            _status(rec.status),
            safe(rec.stance),
            safe(", ".join(rec.actors)),
            safe(rec.theme),
            rec.updated.isoformat(),
            safe(rec.title),
        )
    return table


def history_table(rec: Recommendation, history: Iterable[StatusChange]) -> Table:
    table = Table(title=safe(f"{rec.id}: history"), title_justify="left")
    for name in ("date", "status", "by", "note", "source"):
        table.add_column(name, no_wrap=name in ("date", "status"))
    for c in history:
        table.add_row(
            c.date.isoformat(),
            _status(c.status),
            safe(c.by),
            safe(c.note),
            safe(c.source),
        )
    return table


SOURCE_STATE_STYLES = {"ok": "green", "changed": "red", "missing": "red", "refused": "red"}


def sources_table(rows: Iterable[tuple[Source, str]]) -> Table:
    table = Table(title="sources", title_justify="left")
    table.add_column("id", style="bold", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title", ratio=2, min_width=20)
    table.add_column("url", ratio=1, overflow="fold")
    table.add_column("state", no_wrap=True)
    for source, state in rows:
        table.add_row(
            Text(source.id),
            Text(source.kind or ""),
            source.date.isoformat() if source.date else "",
            Text(source.title or ""),
            Text(source.url or ""),
            Text(state, style=SOURCE_STATE_STYLES.get(state, "")),
        )
    return table


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)
