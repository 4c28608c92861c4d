"""Help as it is shown: the keys of the registry the command would use, and options that
keep their names whole at a narrow terminal. Loaded only when help is rendered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from wrrtrack._vocabulary import Vocabularies

# The parameters whose help lists one vocabulary's keys (`_options._keys_help`, the STATUS
# of `status set`), by the parameter's name: written with the built-in keys, shown with
# the keys of the registry (WRR 103's actors acvz and volgend-kabinet are its own).
KEYED = {"actor": "actors", "status": "statuses", "stance": "stances"}
# Below this many columns for the help beside them, options are stacked: each option's
# names on a line of their own, whole, and its help under them.
HELP_COLUMNS = 30


def prepare(ctx: typer.Context) -> None:
    """Before `ctx.command`'s help is rendered: its key lists and Typer's options panel."""
    from typer import rich_utils

    command = ctx.command
    if any(param.name in KEYED for param in command.params):
        _show_keys(command, _vocabularies(ctx))
    if rich_utils._print_options_panel is not _options_panel:
        _TYPERS.append(rich_utils._print_options_panel)
        rich_utils._print_options_panel = _options_panel


def _vocabularies(ctx: typer.Context) -> Vocabularies | None:
    """The vocabularies of the registry the command line names or finds (None: none read)."""
    from wrrtrack.cli._completion import _completion_registry

    registry = _completion_registry(ctx)
    try:
        return registry.vocabularies if registry is not None else None
    except Exception:  # noqa: BLE001 (help falls back to the built-in keys, silently)
        return None


def _show_keys(command: Any, vocabularies: Vocabularies | None) -> None:
    from wrrtrack._vocabulary import DEFAULTS

    for param in command.params:
        section = KEYED.get(param.name or "")
        if section is None or not param.help:
            continue
        if not hasattr(param, "_built_in_help"):
            param._built_in_help = param.help
        builtin = ", ".join(DEFAULTS[section].choices())
        keys = builtin
        if vocabularies is not None:
            keys = ", ".join(vocabularies.by_section(section).choices())
        param.help = param._built_in_help.replace(builtin, keys)


_TYPERS: list[Any] = []  # Typer's own options panel, once `prepare` has replaced it


def _options_panel(*, console: Console, **panel: Any) -> None:
    """Typer's options (or arguments) panel; stacked when the names leave the help too
    little room, where Typer would cut names (`--show-co…`) and fold the help to a word
    a line."""
    from rich.measure import Measurement
    from rich.panel import Panel
    from rich.table import Table

    printed: list[RenderableType] = []

    class Capture:
        def print(self, renderable: RenderableType) -> None:
            printed.append(renderable)

    def width(cell: Any) -> int:
        return Measurement.get(console, console.options, cell).maximum

    _TYPERS[0](console=Capture(), **panel)
    for renderable in printed:
        table = getattr(renderable, "renderable", None)
        if not isinstance(renderable, Panel) or not isinstance(table, Table):
            console.print(renderable)
            continue
        *names, helps = [list(column.cells) for column in table.columns]
        named = sum(max(map(width, cells), default=0) + 2 for cells in names)
        if named + HELP_COLUMNS <= console.width - 4:
            console.print(renderable)
            continue
        console.print(_stacked(renderable, [list(row) for row in zip(*names, strict=True)], helps))


def _stacked(panel: Any, names: list[list[Any]], helps: list[Any]) -> Any:
    """The panel with one option after the other: its names, type and mark on one line
    (folded, never cut), its help under them, indented."""
    from rich.console import Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(expand=True)
    table.add_column(overflow="fold")
    for cells, help in zip(names, helps, strict=True):
        line = Text(" ").join(
            cell for cell in cells if isinstance(cell, Text) and cell.plain.strip()
        )
        table.add_row(Group(line, Padding(help, (0, 0, 0, 4))))
    return Panel(
        table, border_style=panel.border_style, title=panel.title, title_align=panel.title_align
    )
