"""The command line assembled: every command registered on its group, in the order the
help lists them, and the root command built with each subcommand made only when used."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import typer

from wrrtrack.cli import _correcting, _following, _publishing, _reading, _sources, _writing
from wrrtrack.cli._app import Command, app, reports_app, sources_app, status_app, vocab_app
from wrrtrack.cli._completion import init_completion

app.command("list")(_reading.list_)
app.command(cls=Command)(_reading.show)
status_app.command("set", cls=Command)(_following.status_set)
status_app.command("history", cls=Command)(_reading.status_history)
vocab_app.command("list")(_reading.vocab)
app.command()(_publishing.report)
app.command()(_publishing.changes)
app.command()(_publishing.validate)
sources_app.callback()(_reading.sources)
sources_app.command("update", cls=Command)(_writing.sources_update)
sources_app.command("add", cls=Command)(_sources.sources_add)
app.command()(_publishing.export)
app.command()(_publishing.schema)
app.command()(_writing.init)
reports_app.callback()(_reading.reports)
reports_app.command("add", cls=Command)(_writing.reports_add)
app.command(cls=Command)(_writing.add)
vocab_app.command("add", cls=Command)(_writing.vocab_add)
app.command(cls=Command)(_correcting.edit)
app.command(cls=Command)(_correcting.remove)


class _Subcommands(MutableMapping[str, Any]):
    """The root command's subcommands, each built from its Typer definition when first
    looked up (`get_command`, help and completion look them up; `keys` does not).

    Typer builds every command up front, reading the signature and annotations of each
    function; a run uses one of them, and building the other dozen cost every command
    about a twentieth of its start-up."""

    def __init__(self, builders: dict[str, Callable[[], Any]]) -> None:
        self._builders = builders
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._builders[name]()  # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._builders.setdefault(name, lambda: command)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._builders[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)

    def built(self) -> list[str]:
        """The names of the commands built so far (for the start-up tests)."""
        return list(self._built)


def _compose(outer: Callable[[Any], Any], inner: Callable[[], Any]) -> Callable[[], Any]:
    return lambda: outer(inner())


def _reflowed(command: Any) -> Any:
    """`command` (and a group's subcommands) with help that wraps to the terminal's width.

    Typer keeps a docstring's single line breaks, so help wrapped for the source file came
    out ragged at a narrow terminal ("… use it. With" and "--blank, …" on lines of their
    own). Inside a paragraph they are joined; paragraphs stay, and so does each line of a
    paragraph of examples (`$ wrrtrack …`)."""
    command.help = reflow(command.help)
    _help_prepared(command)
    for sub in getattr(command, "commands", {}).values():
        _reflowed(sub)
    return command


def _help_prepared(command: Any) -> None:
    """`command`'s help made ready when it is rendered, and only then (`_help.prepare`):
    the keys of the registry in it, and options stacked at a narrow terminal."""
    typers = command.format_help

    def format_help(ctx: Any, formatter: Any) -> None:
        from wrrtrack.cli import _help

        _help.prepare(ctx)
        typers(ctx, formatter)

    command.format_help = format_help


def reflow(text: str | None) -> str | None:
    if not text:
        return text
    import inspect

    return "\n\n".join(
        paragraph
        if all(line.startswith("$ ") for line in paragraph.splitlines())
        else " ".join(line.strip() for line in paragraph.splitlines())
        for paragraph in inspect.cleandoc(text).split("\n\n")
    )


def command() -> typer.core.TyperGroup:
    """The command line, ready to answer a shell that asks for completions.

    The root group is built by Typer without its subcommands, which `_Subcommands` builds
    as they are looked up, in the order (and with the settings) Typer would use.
    """
    init_completion()
    from typer.main import get_command, get_command_from_info, get_group_from_info

    short, markup = app.pretty_exceptions_short, app.rich_markup_mode
    builders: dict[str, Callable[[], Any]] = {}
    for info in app.registered_commands:
        name = info.name or typer.main.get_command_name(info.callback.__name__)  # type: ignore[union-attr]
        builders[name] = _compose(
            _reflowed,
            functools.partial(
                get_command_from_info, info, pretty_exceptions_short=short, rich_markup_mode=markup
            ),
        )
    for group in app.registered_groups:
        builders[str(group.name)] = _compose(
            _reflowed,
            functools.partial(
                get_group_from_info,
                group,
                pretty_exceptions_short=short,
                rich_markup_mode=markup,
                suggest_commands=app.suggest_commands,
            ),
        )
    bare = copy.copy(app)
    bare.registered_commands, bare.registered_groups = [], []
    root: typer.core.TyperGroup = get_command(bare)  # type: ignore[assignment]
    root.commands = _Subcommands(builders)
    root.help = reflow(root.help)  # its subcommands: as they are built
    _help_prepared(root)
    return root
