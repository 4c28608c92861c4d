"""The Typer application: the root command with its global options, the command groups,
and what every command reads from the root: the registry and the language."""

# No `from __future__ import annotations` here (see _options).

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from wrrtrack import __version__
from wrrtrack.cli import _streams
from wrrtrack.cli._completion import install_completion, shell_option, show_completion
from wrrtrack.cli._options import Lang

if TYPE_CHECKING:
    from wrrtrack._index import View
    from wrrtrack._registry import Registry
    from wrrtrack._vocabulary import Language
    from wrrtrack.discover import Located

app = typer.Typer(
    name="wrrtrack",
    help="Track the government's follow-up on policy advice (WRR report 103 and others).\n\n"
    "Examples:\n\n"
    "$ wrrtrack list --actor gemeente\n"
    "$ wrrtrack show wrr103-7 --lang en\n"
    "$ wrrtrack validate",
    no_args_is_help=True,
    # Completion is offered by our own --show-completion / --install-completion (below),
    # which take the shell as a value and load Typer's completion code only when used.
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
status_app = typer.Typer(
    help="Change the status of a recommendation, or show its history.\n\n"
    "Examples:\n\n"
    '$ wrrtrack status set wrr103-4 uitgevoerd --note "Voorbeeld" --date 2026-11-01\n'
    "$ wrrtrack status history wrr103-4",
    no_args_is_help=True,
)
app.add_typer(status_app, name="status")


class _ListOrAdd(typer.core.TyperGroup):
    """`vocab [VOCABULARY]` lists, `vocab add …` adds: anything but a subcommand's name
    (or --help) is the listing's arguments."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


reports_app = typer.Typer(
    help="List the advisory reports in the registry, or add one.\n\n"
    "Examples:\n\n"
    "$ wrrtrack reports",
    invoke_without_command=True,
)
app.add_typer(reports_app, name="reports")
vocab_app = typer.Typer(
    cls=_ListOrAdd,
    help="List the keys of a vocabulary, or of all four; or add a key ('vocab add').\n\n"
    "Examples:\n\n"
    "$ wrrtrack vocab themes\n"
    '$ wrrtrack vocab add themes wijkaanpak --nl Wijkaanpak --en "Neighbourhood approach"',
)
app.add_typer(vocab_app, name="vocab")
sources_app = typer.Typer(
    help="The stored sources quotes are checked against, and their fingerprints.\n\n"
    "Examples:\n\n"
    "$ wrrtrack sources\n"
    "$ wrrtrack sources update wrr-samenvatting-kabinetsreactie",
    invoke_without_command=True,
)
app.add_typer(sources_app, name="sources")


class Command(typer.core.TyperCommand):
    """A command whose usage line names its arguments as its help does: `ID`, not `{ID}`."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [piece.strip("{}") for piece in super().collect_usage_pieces(ctx)]


class Settings(NamedTuple):
    registry: Path | None = None
    use_cache: bool = True


def _version(value: bool) -> None:
    if value:
        print(f"wrrtrack {__version__}")
        raise typer.Exit


def _not_empty(value: str | None) -> str | None:
    """`--registry ""` (an unset variable in a script) is a usage error, not "search"."""
    if value == "":
        from wrrtrack.discover import EMPTY_PATH

        raise typer.BadParameter(f"{EMPTY_PATH}, or leave --registry out to search for one")
    return value


@app.callback()
def _root(
    ctx: typer.Context,
    registry: Annotated[
        str | None,  # not Path: Typer's Path check fails on a NUL; discover checks it
        typer.Option(
            "--registry",
            "-r",
            help="The registry file. Default: $WRRTRACK_REGISTRY, wrrtrack.toml, "
            "data/recommendations.yaml here or above, else the bundled one (read-only).",
            metavar="PATH",
            callback=_not_empty,
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Parse the registry even if this exact file was parsed before."
        ),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Print long output straight to the terminal; also WRRTRACK_PAGER= (empty).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    show_completion: Annotated[
        str | None,
        shell_option(
            "--show-completion",
            show_completion,
            "Print the completion script for SHELL (bash, zsh, fish, powershell).",
        ),
    ] = None,
    install_completion: Annotated[
        str | None,
        shell_option(
            "--install-completion",
            install_completion,
            "Install completion for SHELL (bash, zsh, fish, powershell) in your home.",
        ),
    ] = None,
) -> None:
    ctx.obj = Settings(
        registry=Path(registry) if registry is not None else None, use_cache=not no_cache
    )
    _streams.Screen.pager = not no_pager


# --- what the root's options say --------------------------------------------------------


def located(ctx: typer.Context) -> "Located":
    from wrrtrack.discover import locate

    settings: Settings = ctx.find_root().obj
    return locate(settings.registry)


def registry_of(ctx: typer.Context, *, read: bool = True) -> "Registry":
    """The registry the global options and the search order name, read unless asked."""
    from wrrtrack import _cache as cache
    from wrrtrack._registry import Registry

    cache.hold()  # main() writes the cache only when the command has succeeded
    settings: Settings = ctx.find_root().obj
    registry = Registry.at(located(ctx), use_cache=settings.use_cache)
    if not read:
        return registry
    with _streams.busy(f"reading {registry.path}"):
        return registry.read()


def view_of(ctx: typer.Context) -> "View":
    """What `list` and `show` ask of the registry the options name: from its index when
    that answers for the registry as it is (`Registry.view`)."""
    registry = registry_of(ctx, read=False)
    with _streams.busy(f"reading {registry.path}"):
        return registry.view()


def language(ctx: typer.Context, given: Lang | None) -> "Language":
    """--lang if given, else the `lang` of wrrtrack.toml, else Dutch (cli.md)."""
    chosen = given or located(ctx).lang
    return "en" if chosen == "en" else "nl"


def written(registry: "Registry") -> Path:
    """Record that a writer has replaced the registry's file: the one it names, or the file
    of a folder registry it changed (`Registry.written`)."""
    return _streams.wrote(registry.written or registry.path)
