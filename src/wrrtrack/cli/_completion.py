"""Shell completion: read from the registry (through the cache), never failing; and the
global options that print or install a shell's completion script."""

# No `from __future__ import annotations`: Typer reads the callbacks' annotations.

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from wrrtrack._errors import WrrtrackError

if TYPE_CHECKING:
    from wrrtrack._registry import Registry

# The variable the completion scripts set when the shell asks for completions.
COMPLETE_VAR = "_WRRTRACK_COMPLETE"
# Completion needs Click's completion classes and a parameter type per completed option;
# they are made only when a shell asks, so that no other run pays for them.
_COMPLETING = COMPLETE_VAR in os.environ

Completer = Callable[[typer.Context, str], Sequence[tuple[str, str | None]]]


def completed_by(completer: Completer) -> Any:
    """When a shell asks for completions, a parameter type whose values `completer` offers;
    else None (Typer's plain text).

    A type rather than Typer's `autocompletion`, which keeps only the values that start
    with the text exactly as typed: ids and keys are case-insensitive everywhere else, and
    `wrrtrack show WRR<Tab>` found nothing. The completers match without regard to case.
    """
    if not _COMPLETING:
        return None
    from typer._click.shell_completion import CompletionItem
    from typer._click.types import StringParamType

    class Completed(StringParamType):
        def shell_complete(self, ctx: Any, param: Any, incomplete: str) -> list[Any]:
            # Help from the registry is text, shown as written (`_shells.help_text`).
            return [
                CompletionItem(value, help=help, literal=True)
                for value, help in completer(ctx, incomplete)
            ]

    return Completed()


def _completion_registry(ctx: typer.Context) -> "Registry | None":
    """The registry the command line being completed names; None when it cannot be read."""
    from wrrtrack._registry import Registry
    from wrrtrack.discover import locate

    given = ctx.find_root().params.get("registry")
    try:
        return Registry.at(locate(Path(given) if given else None)).read()
    except (WrrtrackError, OSError):
        return None


def complete_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str | None]]:
    """The ids that start with `incomplete` in any case (no help: Typer would wrap a title
    over several lines of the zsh protocol)."""
    registry = _completion_registry(ctx)
    if registry is None:
        return []
    folded = incomplete.casefold()
    return [
        (rec.id, None) for rec in registry.recommendations if rec.id.casefold().startswith(folded)
    ]


def complete_reports(ctx: typer.Context, incomplete: str) -> list[tuple[str, str | None]]:
    """The report keys that start with `incomplete` in any case, with the report's name."""
    registry = _completion_registry(ctx)
    if registry is None:
        return []
    folded = incomplete.casefold()
    return [
        (report.key, _completion_help(report.name))
        for report in registry.reports
        if report.key.casefold().startswith(folded)
    ]


def _completion_help(text: str) -> str:
    """`text` as zsh and fish show it beside a completion, exactly as it is written: one
    line, control characters escaped (`visible`); each shell's quoting is `_shells`'."""
    from wrrtrack.render import visible

    return visible(text)


def key_completer(section: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    """Completion of one vocabulary's keys (the registry's own included), with labels."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        registry = _completion_registry(ctx)
        if registry is not None:
            vocabulary = registry.vocabularies.by_section(section)
        else:
            from wrrtrack._vocabulary import DEFAULTS

            vocabulary = DEFAULTS[section]
        # Keys are lower-case; what was typed may not be (they are matched in any case).
        folded = incomplete.casefold()
        return [(t.key, _completion_help(t.en)) for t in vocabulary if t.key.startswith(folded)]

    complete.__name__ = f"complete_{section}"
    return complete


def complete_ids_or_status(ctx: typer.Context, incomplete: str) -> list[tuple[str, str | None]]:
    """`status set ID… STATUS`: the shell asks the ids (Click hands every word to a list
    argument before another), so after the first id come the ids and the statuses both."""
    ids = complete_ids(ctx, incomplete)
    if ctx.params.get("status") is None:  # no word typed yet: the first id
        return ids
    return [*ids, *key_completer("statuses")(ctx, incomplete)]


def init_completion() -> None:
    """Load our completion classes when a shell asks for completions (and only then)."""
    if COMPLETE_VAR in os.environ:  # set by the scripts --show-completion prints
        from wrrtrack.cli._shells import register

        register()


# --- --show-completion SHELL and --install-completion SHELL -------------------------------

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _shell(value: str) -> str:
    if value not in SHELLS:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(SHELLS)}")
    return value


def show_completion(value: str | None) -> None:
    if value is None:
        return
    from typer._completion_shared import get_completion_script

    print(
        get_completion_script(prog_name="wrrtrack", complete_var=COMPLETE_VAR, shell=_shell(value))
    )
    raise typer.Exit


def install_completion(value: str | None) -> None:
    if value is None:
        return
    from typer._completion_shared import install

    from wrrtrack.cli import _streams

    shell, path = install(shell=_shell(value), prog_name="wrrtrack", complete_var=COMPLETE_VAR)
    _streams.say(f"installed {shell} completion in {path}; it works in shells started from now on")
    raise typer.Exit


def shell_option(name: str, callback: Callable[[str | None], None], help: str) -> Any:
    """A global option that acts on a shell's name at once, before any command runs."""
    return typer.Option(
        name, metavar="SHELL", callback=callback, is_eager=True, expose_value=False, help=help
    )
