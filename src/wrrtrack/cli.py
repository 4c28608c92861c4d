"""The command line: parse, make one library call, print. Errors are mapped in `main()`."""

# No `from __future__ import annotations` in this module: with it, Typer compiles and
# evaluates every parameter's annotation string each time it builds the command line, which
# every command pays at start-up (it made building the command four to six times slower).
# Names imported only for type checking are therefore written in quotes.

import contextlib
import copy
import errno
import functools
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple, NoReturn, ParamSpec, TypeVar

import typer

from wrrtrack import __version__
from wrrtrack._errors import UnknownTerm, WrrtrackError
from wrrtrack._vocabulary import ACTORS, STANCES, STATUSES, Vocabulary

if TYPE_CHECKING:
    from wrrtrack._registry import Registry
    from wrrtrack._vocabulary import Language
    from wrrtrack.discover import Located
    from wrrtrack.output import Kept

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


class Command(typer.core.TyperCommand):
    """A command whose usage line names its arguments as its help does: `ID`, not `{ID}`."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [piece.strip("{}") for piece in super().collect_usage_pieces(ctx)]


# The values of each option that takes one of a few words, as `Literal` types (Typer
# offers them as choices) rather than enums: creating eight enum classes cost every
# command about 1.5% of its start-up, and mypy checks a comparison with a value that is
# not among them all the same.
ListFormat = Literal["table", "tsv", "json", "csv", "md", "ids"]
ShowFormat = Literal["text", "json"]
TableFormat = Literal["table", "json"]
ValidateFormat = Literal["text", "json", "github"]
ReportFormat = Literal["md", "html"]
ExportFormat = Literal["json", "toml", "csv", "sqlite"]
Lang = Literal["nl", "en"]
VocabularyName = Literal["actors", "stances", "statuses", "themes"]


_ISO_DATE = r"\d{4}-\d{2}-\d{2}"  # compiled by `re` when a date is first given


class Settings(NamedTuple):
    registry: Path | None = None
    use_cache: bool = True


class _Run:
    """What this run has done that cannot be undone: once a file is replaced, the command
    has succeeded, whatever fails afterwards (see `main`)."""

    wrote: Path | None = None


class _Screen:
    """What the global options say about the terminal, for `_out`, which has no context.

    Set by the root callback on every run (a class attribute: no import for start-up)."""

    pager = True


# --- completion: read from the registry (through the cache), never failing -------------

# The variable the completion scripts set when the shell asks for completions.
COMPLETE_VAR = "_WRRTRACK_COMPLETE"
# Completion needs Click's completion classes and a parameter type per completed option;
# they are made only when a shell asks, so that no other run pays for them.
_COMPLETING = COMPLETE_VAR in os.environ


def _completed_by(
    completer: Callable[[typer.Context, str], Sequence[tuple[str, str | None]]],
) -> Any:
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
            return [CompletionItem(value, help=help) for value, help in completer(ctx, incomplete)]

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


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str | None]]:
    """The ids that start with `incomplete` in any case (no help: Typer would wrap a title
    over several lines of the zsh protocol)."""
    registry = _completion_registry(ctx)
    if registry is None:
        return []
    folded = incomplete.casefold()
    return [
        (rec.id, None) for rec in registry.recommendations if rec.id.casefold().startswith(folded)
    ]


def _complete_reports(ctx: typer.Context, incomplete: str) -> list[tuple[str, str | None]]:
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
    """`text` as zsh and fish show it beside a completion, exactly as it is written.

    Typer renders that help as Rich markup with emoji codes: markup is escaped, and an
    empty style after every colon splits `:smile:` in two, so that it stays text (Rich
    replaces emoji codes within one stretch of text between tags). A line break or escape
    sequence would reach the shell's protocol or the terminal: `visible` escapes them.
    """
    from rich.markup import escape

    from wrrtrack.render import visible

    return escape(visible(text)).replace(":", ":[dim][/dim]")


def _key_completer(section: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
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


# --- options shared by several commands (defined once) ----------------------------------


def _keys_help(what: str, vocabulary: Vocabulary) -> str:
    return f"Only {what} (repeat for OR): {', '.join(vocabulary.choices())}."


RecommendationId = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The recommendation's id, e.g. wrr103-7.",
        click_type=_completed_by(_complete_ids),
        show_default=False,
    ),
]


def _filter(section: str, *names: str, help: str) -> Any:
    """A repeatable filter option that takes one vocabulary's keys (completed from it)."""
    completed = _completed_by(_key_completer(section))
    return typer.Option(*names, metavar="KEY", help=help, click_type=completed)


ActorOption = Annotated[
    list[str] | None, _filter("actors", "--actor", "-a", help=_keys_help("these actors", ACTORS))
]
StatusOption = Annotated[
    list[str] | None,
    _filter("statuses", "--status", "-s", help=_keys_help("this status", STATUSES)),
]
ThemeOption = Annotated[
    list[str] | None,
    _filter(
        "themes",
        "--theme",
        "-t",
        help="Only this theme (repeat for OR). Themes are declared by the registry itself, "
        "under vocabularies.themes; 'wrrtrack vocab themes' lists them.",
    ),
]
StanceOption = Annotated[
    list[str] | None,
    _filter("stances", "--stance", help=_keys_help("this cabinet stance", STANCES)),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to FILE (atomically) instead of stdout; '-' is stdout.",
        metavar="FILE",
    ),
]
SearchOption = Annotated[
    str | None,
    typer.Option(
        "--search",
        "-q",
        metavar="TEXT",
        help="Only where title, quotes or notes contain TEXT; case and accents are ignored "
        "(financiele finds financiële).",
    ),
]


def _report_option(help: str) -> Any:
    """`--report KEY`, completed from the registry's report keys."""
    return typer.Option(
        "--report", metavar="KEY", help=help, click_type=_completed_by(_complete_reports)
    )


ReportOption = Annotated[
    list[str] | None,
    _report_option(
        "Only this advisory report, by its key (repeat for OR); 'wrrtrack reports' lists them."
    ),
]


def _date_option(*names: str, help: str) -> Any:
    """An option that takes a date, shown as YYYY-MM-DD in help and usage."""
    return typer.Option(*names, metavar="YYYY-MM-DD", help=help)


JsonFlag = Annotated[
    bool, typer.Option("--json", help="The same as --format json: output for scripts.")
]
LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang", help="Headings and labels in Dutch or English; default: wrrtrack.toml, else nl."
    ),
]


def _lang(ctx: typer.Context, given: Lang | None) -> "Language":
    """--lang if given, else the `lang` of wrrtrack.toml, else Dutch (cli.md)."""
    chosen = given or _located(ctx).lang
    return "en" if chosen == "en" else "nl"


def _version(value: bool) -> None:
    if value:
        print(f"wrrtrack {__version__}")
        raise typer.Exit


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _shell(value: str) -> str:
    if value not in SHELLS:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(SHELLS)}")
    return value


def _show_completion(value: str | None) -> None:
    if value is None:
        return
    from typer._completion_shared import get_completion_script

    print(
        get_completion_script(prog_name="wrrtrack", complete_var=COMPLETE_VAR, shell=_shell(value))
    )
    raise typer.Exit


def _install_completion(value: str | None) -> None:
    if value is None:
        return
    from typer._completion_shared import install

    shell, path = install(shell=_shell(value), prog_name="wrrtrack", complete_var=COMPLETE_VAR)
    _say(f"installed {shell} completion in {path}; it works in shells started from now on")
    raise typer.Exit


def _shell_option(name: str, callback: Callable[[str | None], None], help: str) -> Any:
    """A global option that acts on a shell's name at once, before any command runs."""
    return typer.Option(
        name, metavar="SHELL", callback=callback, is_eager=True, expose_value=False, help=help
    )


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
        _shell_option(
            "--show-completion",
            _show_completion,
            "Print the completion script for SHELL (bash, zsh, fish, powershell).",
        ),
    ] = None,
    install_completion: Annotated[
        str | None,
        _shell_option(
            "--install-completion",
            _install_completion,
            "Install completion for SHELL (bash, zsh, fish, powershell) in your home.",
        ),
    ] = None,
) -> None:
    ctx.obj = Settings(
        registry=Path(registry) if registry is not None else None, use_cache=not no_cache
    )
    _Screen.pager = not no_pager


# --- helpers -----------------------------------------------------------------------------


def _located(ctx: typer.Context) -> "Located":
    from wrrtrack.discover import locate

    settings: Settings = ctx.find_root().obj
    return locate(settings.registry)


def _registry(ctx: typer.Context, *, read: bool = True) -> "Registry":
    """The registry the global options and the search order name, read unless asked."""
    from wrrtrack import _cache as cache
    from wrrtrack._registry import Registry

    cache.hold()  # main() writes the cache only when the command has succeeded
    settings: Settings = ctx.find_root().obj
    registry = Registry.at(_located(ctx), use_cache=settings.use_cache)
    if not read:
        return registry
    with _busy(f"reading {registry.path}"):
        return registry.read()


Params = ParamSpec("Params")
Returned = TypeVar("Returned")


@contextlib.contextmanager
def _busy(message: str) -> Iterator[None]:
    """A spinner on stderr while slow work runs, if stderr is a terminal (see _screen)."""
    if not sys.stderr.isatty():
        yield
        return
    from wrrtrack._screen import busy

    with busy(message):
        yield


def _shows_progress(
    message: str,
) -> Callable[[Callable[Params, Returned]], Callable[Params, Returned]]:
    """Run a whole command under `_busy(message)`."""

    def decorate(command: Callable[Params, Returned]) -> Callable[Params, Returned]:
        @functools.wraps(command)
        def run(*args: Params.args, **kwargs: Params.kwargs) -> Returned:
            with _busy(message):
                return command(*args, **kwargs)

        return run

    return decorate


def _resolve(vocabulary: Vocabulary, given: list[str] | None, option: str) -> frozenset[str]:
    try:
        return frozenset(vocabulary.resolve(g) for g in given or ())
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


def _report_keys(registry: "Registry", given: list[str] | None) -> list[str]:
    """The report keys `--report` names, as the registry spells them, each once, in the
    order given (a usage error lists the keys when one is not known)."""
    try:
        return list(dict.fromkeys(registry.report_of(key).key for key in given or ()))
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'--report'") from None


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(_ISO_DATE, value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a real date in the form YYYY-MM-DD", param_hint=f"'{option}'"
        ) from None


def _out(text: str, *, as_json: bool = False) -> None:
    """Write to stdout; at a terminal, output taller than the screen goes through the pager.

    JSON (`as_json`) stays JSON whatever stdout's encoding: where that is not UTF-8 (a pipe
    on Windows writes the ANSI code page; PYTHONIOENCODING), every character beyond ASCII
    is written as a `\\uXXXX` escape, which every JSON reader decodes alike. The escapes
    `_prepare_streams` falls back to (`\\xeb`) are not JSON.
    """
    if as_json and not _utf8(sys.stdout):
        from wrrtrack.render import ascii_json

        text = ascii_json(text)
    if _is_terminal():
        from wrrtrack._screen import page

        page(text, enabled=_Screen.pager)
        return
    _spinner_done()
    sys.stdout.write(text)
    sys.stdout.flush()


def _utf8(stream: object) -> bool:
    """Whether `stream` encodes text as UTF-8 (so it can carry any character)."""
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name.startswith("utf-8")
    except LookupError:
        return False


def _say(message: str) -> None:
    """A message for the user on stderr, on one line with control characters escaped."""
    from wrrtrack.render import visible

    _spinner_done()
    print(visible(message), file=sys.stderr, flush=True)


def _spinner_done() -> None:
    """Stop a spinner before anything is written (the spinner module is loaded if one ran)."""
    screen = sys.modules.get("wrrtrack._screen")
    if screen is not None:
        screen.finish()


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _width() -> int:
    """The terminal's width in columns ($COLUMNS first, as Rich and the shell agree)."""
    import shutil

    return shutil.get_terminal_size().columns


# --- commands ----------------------------------------------------------------------------


@app.command("list")
def list_(
    ctx: typer.Context,
    report: ReportOption = None,
    actor: ActorOption = None,
    status: StatusOption = None,
    theme: ThemeOption = None,
    stance: StanceOption = None,
    search: SearchOption = None,
    output_format: Annotated[
        ListFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (for people; piped, the same as tsv), tsv (tab-separated), json, "
            "csv, md (Markdown), ids.",
        ),
    ] = "table",
    as_json: JsonFlag = False,
    header: Annotated[
        bool, typer.Option("--header", help="tsv (or a piped table): start with the column names.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """List recommendations, filtered. Piped, the table is tab-separated lines.

    Text formats: columns id, title, theme, stance, actors, status, updated; actors joined by ';'.

    Examples:

    $ wrrtrack list --actor gemeente
    $ wrrtrack list --search richtgetallen --format csv
    $ wrrtrack list --status doorgeschoven --format json
    """
    from wrrtrack._model import Filter

    registry = _registry(ctx)
    vocab = registry.vocabularies
    where = Filter(
        actors=_resolve(vocab.actors, actor, "--actor"),
        statuses=_resolve(vocab.statuses, status, "--status"),
        themes=_resolve(vocab.themes, theme, "--theme"),
        stances=_resolve(vocab.stances, stance, "--stance"),
        search=search,
        reports=_report_keys(registry, report),
    )
    recs = registry.select(where)
    output_format = "json" if as_json else output_format
    if output_format == "table" and _is_terminal():
        from wrrtrack.render import plain, terminal

        words = plain.WORDS[_lang(ctx, lang)]
        shown = [r for r in registry.reports if not where.reports or r.key in where.reports]
        one = shown[0] if len(shown) == 1 else None
        # "2 of 7": of the recommendations of the reports listed, not of the whole registry.
        total = len(registry.select(Filter(reports=where.reports)))
        caption = " · ".join(
            (
                words["count"].format(shown=len(recs), total=total),
                *([one.reaction.reference] if one else []),
                words["as_of"].format(day=registry.ledger.as_of.isoformat()),
            )
        )
        table = terminal.list_table(
            recs,
            width=_width(),
            lang=_lang(ctx, lang),
            title=one.name if one else words["reports"].format(count=len(shown)),
            caption=caption,
            with_report=len(shown) > 1,
        )
        _out(terminal.render([table]))
        return
    if output_format in ("table", "tsv"):
        from wrrtrack.render import plain

        _out(plain.list_lines(recs, header=header))
        return
    if output_format == "md":
        from wrrtrack.render import markdown

        _out(markdown.list_table(recs))
        return
    from wrrtrack.render import machine

    render = {
        "json": machine.list_json,
        "csv": machine.list_csv,
        "ids": machine.ids,
    }[output_format]
    text = render(recs)
    if output_format == "csv":
        from wrrtrack.render import csv_for_stdout

        text = csv_for_stdout(text, terminal=_is_terminal())
    _out(text, as_json=output_format == "json")


@app.command(cls=Command)
def show(
    ctx: typer.Context,
    identifier: RecommendationId,
    report: ReportOption = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text (for people) or json.")
    ] = "text",
    as_json: JsonFlag = False,
    lang: LangOption = None,
) -> None:
    """Show recommendation ID in full: stance, quotes, actors, status and history.

    Examples:

    $ wrrtrack show wrr103-7 --lang en
    """
    registry = _registry(ctx)
    rec = registry.get(identifier)
    keys = _report_keys(registry, report)
    if keys and rec.report not in keys:
        raise WrrtrackError(
            f"{rec.id} belongs to report {rec.report}, not to {', '.join(sorted(keys))}"
        )
    if as_json or output_format == "json":
        from wrrtrack.render import machine

        _out(machine.to_json(machine.detail(rec, registry.ledger)), as_json=True)
        return
    from wrrtrack.render import plain

    # At a terminal, as wide as it is (up to 100 columns, for reading); piped, 88.
    width = min(_width(), 100) if _is_terminal() else 88
    _out(plain.show_text(rec, registry.ledger, width=width, lang=_lang(ctx, lang)))


_STATUS_SET_OPTIONS = {
    "note": "--note",
    "on": "--date",
    "by": "--by",
    "source": "--source",
    "quotes": "--quote",
}


@status_app.command("set", cls=Command)
def status_set(
    ctx: typer.Context,
    identifier: RecommendationId,
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help=f"The new status: {', '.join(STATUSES.choices())}.",
            click_type=_completed_by(_key_completer("statuses")),
            show_default=False,
        ),
    ],
    note: Annotated[
        str | None, typer.Option("--note", "-n", metavar="TEXT", help="Why, or what happened.")
    ] = None,
    on: Annotated[str | None, _date_option("--date", "-d", help="Default today.")] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help="Who records it; default git user.name, else login name."
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="The id of a stored source (see 'wrrtrack sources'), or where it is "
            "documented (letter, URL) for a source not stored.",
            metavar="ID-OR-TEXT",
        ),
    ] = None,
    quote: Annotated[
        list[str] | None,
        typer.Option(
            "--quote",
            help="A verbatim passage of the stored source --source names (repeat for "
            "several); refused, with the nearest passage, when it is not in it.",
            metavar="TEXT",
        ),
    ] = None,
) -> None:
    """Record STATUS for recommendation ID (one history entry). Same status again needs --note.

    Examples:

    $ wrrtrack status set wrr103-4 uitgevoerd --note "Voorbeeld" --date 2026-11-01
    """
    from wrrtrack._errors import InvalidChange

    day = _date(on, "--date")
    registry = _registry(ctx, read=False)  # set_status reads it once, under its lock
    try:
        update = registry.set_status(
            identifier, status, note=note, on=day, by=by, source=source, quotes=quote or ()
        )
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'STATUS'") from None
    except InvalidChange as exc:  # the library names its arguments; say which option
        _fail([exc.spelled(lambda name: _STATUS_SET_OPTIONS.get(name, name))])
    _Run.wrote = registry.written or registry.path
    before, after = update.before.status, update.after.status
    arrow = f"{before} -> {after}" if before != after else "note"
    _say(f"{update.after.id}: {arrow} ({update.change.date.isoformat()}) in {_Run.wrote}")


@status_app.command("history", cls=Command)
def status_history(
    ctx: typer.Context,
    identifier: RecommendationId,
    output_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="table (for people) or json.")
    ] = "table",
    as_json: JsonFlag = False,
) -> None:
    """Show every dated change of recommendation ID, oldest first.

    Examples:

    $ wrrtrack status history wrr103-4
    """
    registry = _registry(ctx)
    rec = registry.get(identifier)
    if as_json or output_format == "json":
        from wrrtrack.render import machine

        changes = [machine.change_dict(c, registry.ledger) for c in rec.history]
        _out(machine.to_json(changes), as_json=True)
    elif _is_terminal():
        from wrrtrack.render import terminal

        table = terminal.history_table(
            rec, rec.history, registry.ledger, width=_width(), lang=_lang(ctx, None)
        )
        _out(terminal.render([table]))
    else:
        from wrrtrack.render import plain

        _out(plain.history_lines(rec.history, registry.ledger, _lang(ctx, None)))


@vocab_app.command("list")
def vocab(
    ctx: typer.Context,
    name: Annotated[
        VocabularyName | None,
        typer.Argument(
            metavar="[VOCABULARY]",
            help="actors, stances, statuses or themes; default all four.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        TableFormat,
        typer.Option("--format", "-f", help="table (for people; piped, tab-separated) or json."),
    ] = "table",
    as_json: JsonFlag = False,
) -> None:
    """List the keys filters and commands take: each key, its aliases and both labels.

    'wrrtrack vocab [VOCABULARY]' is short for this command.

    The registry's own keys are included; themes are always the registry's own.

    Piped: one tab-separated line per key (vocabulary, key, nl, en, aliases, origin).

    Examples:

    $ wrrtrack vocab themes
    """
    from wrrtrack._vocabulary import SECTIONS

    vocabularies = _registry(ctx).vocabularies
    sections = [name] if name else list(SECTIONS)
    if as_json or output_format == "json":
        from wrrtrack.render import machine

        _out(machine.to_json(machine.vocabularies(vocabularies, sections)), as_json=True)
    elif _is_terminal():
        from wrrtrack.render import terminal

        tables = terminal.vocabulary_tables(vocabularies, sections, width=_width())
        _out(terminal.render(tables))
    else:
        from wrrtrack.render import plain

        _out(plain.vocabulary_lines(vocabularies, sections))


@app.command()
def report(
    ctx: typer.Context,
    output_format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="md (Markdown) or html (one self-contained page)."),
    ] = "md",
    output: OutputOption = None,
    lang: LangOption = None,
    as_of: Annotated[
        str | None,
        _date_option(
            "--as-of", help="The registry as it stood on this date; default: as it is now."
        ),
    ] = None,
    since: Annotated[
        str | None, _date_option("--since", help="Add a section of changes after this date.")
    ] = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Only the counts and the changes (after --since, else the latest): "
            "small enough for a CI job summary.",
        ),
    ] = False,
    report_keys: ReportOption = None,
) -> None:
    """Write the status report: summary, per-theme tables, quotes and history.

    A registry of several advisory reports gives a summary across them and a section for
    each (or for those --report names).

    Examples:

    $ wrrtrack report --lang en --since 2022-01-01 --output status.md
    """
    as_of_day = _date(as_of, "--as-of")
    since_day = _date(since, "--since")
    if output_format == "html":
        from wrrtrack.render.html import status_report as html_report

        render = html_report
    else:
        from wrrtrack.render.markdown import status_report as markdown_report

        render = markdown_report
    registry = _registry(ctx)
    language = _lang(ctx, lang)
    kept = _kept(registry)
    _check_output(output, kept)
    ledger = registry.ledger
    if not ledger.reports:
        raise WrrtrackError("the registry holds no report yet; add one with 'reports add'")
    keys = _report_keys(registry, report_keys)
    if keys:
        ledger = ledger.of_reports(keys)
    text = render(ledger, lang=language, as_of=as_of_day, since=since_day, summary=summary)
    _deliver(text, output, kept)


def _kept(registry: "Registry") -> "Kept":
    from wrrtrack.output import stored_files

    return stored_files(registry)


def _to_stdout(output: str | None) -> bool:
    return output is None or output == "-"


def _check_output(output: str | None, kept: "Kept") -> None:
    """Refuse an --output path before the work, not after it (`output.check_output`)."""
    if not _to_stdout(output):
        from wrrtrack.output import check_output

        check_output(str(output), kept)


def _deliver(
    content: str | bytes, output: str | None, kept: "Kept", *, as_json: bool = False
) -> None:
    """Print `content`, or write it to the --output file atomically and say so; `kept` are
    the files (the registry, its sources) that --output never replaces. A file is UTF-8."""
    if _to_stdout(output):
        assert isinstance(content, str)  # noqa: S101 (binary output always needs --output)
        _out(content, as_json=as_json)
        return
    from wrrtrack.output import write_output

    written = write_output(str(output), content, kept)
    _Run.wrote = written
    _say(f"wrote {written}")


@app.command()
@_shows_progress("checking the registry")
def validate(
    ctx: typer.Context,
    output_format: Annotated[
        ValidateFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (for people), json (a list of problems), or github (annotations for "
            "GitHub Actions).",
        ),
    ] = "text",
) -> None:
    """Check the registry: fields, types, vocabularies, dates, history, and every quote.

    Examples:

    $ wrrtrack validate
    """
    from wrrtrack.render import validation

    result = _registry(ctx, read=False).validate()
    if output_format == "json":
        _out(validation.json_problems(result), as_json=True)
    elif output_format == "github":
        _out(validation.github_annotations(result))
    if not result.ok:
        if output_format == "text":
            _fail(validation.error_lines(result))
        raise typer.Exit(1)
    if output_format != "json":
        _out(validation.ok_line(result))


sources_app = typer.Typer(
    help="The stored sources quotes are checked against, and their fingerprints.\n\n"
    "Examples:\n\n"
    "$ wrrtrack sources\n"
    "$ wrrtrack sources update wrr-samenvatting-kabinetsreactie",
    invoke_without_command=True,
)
app.add_typer(sources_app, name="sources")


@sources_app.callback()
def sources(
    ctx: typer.Context,
    output_format: Annotated[
        TableFormat, typer.Option("--format", "-f", help="table (for people) or json.")
    ] = "table",
    as_json: JsonFlag = False,
) -> None:
    """List the stored sources: id, kind, date, title, web address and the state of the
    stored file (ok, changed, missing, refused). Piped, the table is tab-separated lines.

    Examples:

    $ wrrtrack sources
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = _registry(ctx).sources()
    if as_json or output_format == "json":
        from wrrtrack.render import machine

        _out(machine.sources_json(rows), as_json=True)
    elif _is_terminal():
        from wrrtrack.render import terminal

        width = _width()
        _out(terminal.render([terminal.sources_table(rows, width=width)], width=width))
    else:
        from wrrtrack.render import plain

        _out(plain.sources_lines(rows))


@sources_app.command("update", cls=Command)
def sources_update(
    ctx: typer.Context,
    identifier: Annotated[str, typer.Argument(help="The source's id.", metavar="ID")],
) -> None:
    """Re-check every quote citing source ID and record the stored file's new fingerprint;
    if a quote broke, list it and change nothing.

    Examples:

    $ wrrtrack sources update wrr-samenvatting-kabinetsreactie
    """
    registry = _registry(ctx, read=False)
    update = registry.update_source(identifier)
    if not update.changed:
        _say(f"{update.source.id}: {update.source.file} matches its fingerprint; nothing to do")
        return
    _Run.wrote = registry.written or registry.path
    _say(
        f"{update.source.id}: {update.checked} quote(s) still found; recorded sha256 "
        f"{update.after[:12]}… (was {(update.before or 'none')[:12]}…) in {_Run.wrote}"
    )


@app.command()
@_shows_progress("exporting the registry")
def export(
    ctx: typer.Context,
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            help="json or toml (lossless: every field), csv (one row per recommendation), "
            "sqlite (one table per kind of record; needs --output).",
        ),
    ],
    output: OutputOption = None,
    report_keys: Annotated[
        list[str] | None,
        _report_option("Only this report, by key (repeat for OR); default: every report."),
    ] = None,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="Start the CSV with a UTF-8 byte-order mark (for Excel)."),
    ] = False,
) -> None:
    """Export the whole registry: reports, vocabularies, recommendations, quotes, history.

    json and toml hold every field and read back to the same registry; csv is one row per
    recommendation; sqlite is a database with one table per kind of record.

    Examples:

    $ wrrtrack export --format sqlite --output registry.db
    $ wrrtrack export --format csv --bom --output registry.csv
    """
    from wrrtrack.render import export as render

    if output_format == "sqlite" and _to_stdout(output):
        raise typer.BadParameter(
            "an SQLite database is a file: name it with --output FILE", param_hint="'--output'"
        )
    if bom and output_format != "csv":
        raise typer.BadParameter("only a CSV export has a byte-order mark", param_hint="'--bom'")
    registry = _registry(ctx)
    keys = _report_keys(registry, report_keys)
    kept = _kept(registry)
    _check_output(output, kept)
    ledger = registry.ledger
    content: str | bytes
    if output_format == "json":
        content = render.json_text(ledger, keys)
    elif output_format == "toml":
        content = render.toml_text(ledger, keys)
    elif output_format == "csv":
        content = render.csv_text(ledger, keys, bom=bom)
        if _to_stdout(output):
            from wrrtrack.render import csv_for_stdout

            content = csv_for_stdout(content, terminal=_is_terminal())
    else:
        content = render.sqlite_bytes(ledger, keys)
    _deliver(content, output, kept, as_json=output_format == "json")


@app.command()
def schema(ctx: typer.Context, output: OutputOption = None) -> None:
    """Print the schema of a registry file (draft 2020-12), for editors to check it by.

    Examples:

    $ wrrtrack schema --output registry.schema.json
    """
    from wrrtrack.render.jsonschema import registry_schema_text

    # The schema needs no registry; --output still never replaces the one that is found.
    kept: Kept = []
    if not _to_stdout(output):
        from wrrtrack.output import kept_files

        with contextlib.suppress(WrrtrackError):
            kept = kept_files(_located(ctx))
    _check_output(output, kept)
    _deliver(registry_schema_text(), output, kept, as_json=True)


@app.command()
def init(
    name: Annotated[
        str,
        typer.Argument(
            help="Where to create data/recommendations.yaml and wrrtrack.toml.", metavar="DIR"
        ),
    ] = ".",
    blank: Annotated[
        bool,
        typer.Option(
            "--blank", help="An empty registry for your own reports, instead of the WRR 103 copy."
        ),
    ] = False,
    folder: Annotated[
        bool,
        typer.Option(
            "--folder", help="The registry is the folder DIR/reports, one file per report."
        ),
    ] = False,
) -> None:
    """Copy the bundled registry and its source text into DIR, to change them there.

    Writes DIR/wrrtrack.toml naming the copy, so that commands run in DIR use it. With
    --blank, writes an empty registry instead, to add reports to ('reports add'). With
    --folder, the registry is the folder DIR/reports, one file per report. Creates
    only new files: nothing that exists is overwritten.

    Examples:

    $ wrrtrack init kopie
    $ wrrtrack init mijn-adviezen --blank
    $ wrrtrack init team --blank --folder
    """
    from wrrtrack import _cache as cache
    from wrrtrack.init import init as make

    cache.hold()
    directory = Path(name)
    created = make(directory, blank=blank, folder=folder)
    _Run.wrote = created.config
    if blank and folder:
        _say(f"created an empty folder registry {created.registry} and {created.config}")
    elif blank:
        _say(f"created an empty registry {created.registry} and {created.config}")
    elif folder:
        _say(
            f"created a folder registry {created.registry} holding a copy of the bundled "
            f"registry, its source text and {created.config}"
        )
    else:
        _say(f"created {created.registry}, its source text and {created.config}")
    go = "" if directory == Path() else f"cd {_shell_word(str(directory))} && "
    _say(f"to use it, run: {go}wrrtrack list")


# --- several reports: listing and adding ----------------------------------------------------


@reports_app.callback()
def reports(
    ctx: typer.Context,
    output_format: Annotated[
        TableFormat,
        typer.Option("--format", "-f", help="table (for people; piped, tab-separated) or json."),
    ] = "table",
    as_json: JsonFlag = False,
    lang: LangOption = None,
) -> None:
    """List the advisory reports: key, publisher, number, title, date, the reaction, and how
    many recommendations have each status.

    Piped: one tab-separated line per report (key, publisher, number, date, reaction,
    reaction date, total, status=count,…, title).

    Examples:

    $ wrrtrack reports
    """
    if ctx.invoked_subcommand is not None:
        return
    from wrrtrack.render import machine

    registry = _registry(ctx)
    if as_json or output_format == "json":
        _out(machine.reports_json(registry.ledger), as_json=True)
        return
    rows = machine.report_counts(registry.ledger)
    if _is_terminal():
        from wrrtrack.render import terminal

        table = terminal.reports_table(
            rows, registry.vocabularies, width=_width(), lang=_lang(ctx, lang)
        )
        _out(terminal.render([table]))
        return
    from wrrtrack.render import plain

    _out(plain.reports_lines(rows, _lang(ctx, lang)))


_WRITER_OPTIONS = {
    "on": "--date",
    "reaction_date": "--reaction-date",
    "source_file": "--source-file",
    "reaction_label": "--reaction-label-nl/--reaction-label-en",
    "id": "ID",
    "key": "KEY",
    "quotes": "--quote",
    "actors": "--actor",
    "aliases": "--alias",
}


def _writing(call: Callable[[], Returned]) -> Returned:
    """Run a library writer; a refused change names the option, not the argument."""
    from wrrtrack._errors import InvalidChange

    try:
        return call()
    except InvalidChange as exc:
        _fail([exc.spelled(lambda name: _WRITER_OPTIONS.get(name, f"--{name.replace('_', '-')}"))])


@reports_app.command("add", cls=Command)
def reports_add(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(metavar="KEY", help="The report's key: lower-case letters, digits, '-'."),
    ],
    title: Annotated[str, typer.Option("--title", metavar="TEXT", help="The report's title.")],
    publisher: Annotated[
        str, typer.Option("--publisher", metavar="NAME", help="Who published the advice.")
    ],
    on: Annotated[str, _date_option("--date", help="The report's date.")],
    reaction: Annotated[
        str,
        typer.Option(
            "--reaction", metavar="TEXT", help="The reaction's reference (a Kamerstuk, a letter)."
        ),
    ],
    reaction_date: Annotated[str, _date_option("--reaction-date", help="The reaction's date.")],
    source_file: Annotated[
        str,
        typer.Option(
            "--source-file",
            metavar="FILE",
            help="The reaction's text (UTF-8), stored as sources/KEY.txt: every quote of the "
            "report's recommendations must be found in it.",
        ),
    ],
    number: Annotated[
        str | None, typer.Option("--number", metavar="N", help="The report's number, if any.")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", metavar="URL", help="Where the reaction is published.")
    ] = None,
    source_kind: Annotated[
        str | None,
        typer.Option(
            "--source-kind",
            metavar="KIND",
            help="What the stored text is (kamerbrief, kamerstuk, samenvatting, or any "
            "other word, e.g. collegebrief).",
        ),
    ] = None,
    source_publisher: Annotated[
        str | None,
        typer.Option("--source-publisher", metavar="NAME", help="Who published the stored text."),
    ] = None,
    label_nl: Annotated[
        str | None,
        typer.Option(
            "--reaction-label-nl",
            metavar="LABEL",
            help="What the reports call the reaction in Dutch (default: Kabinetsreactie), "
            "e.g. Collegereactie; needs --reaction-label-en.",
        ),
    ] = None,
    label_en: Annotated[
        str | None,
        typer.Option(
            "--reaction-label-en",
            metavar="LABEL",
            help="The same in English (default: Cabinet reaction); needs --reaction-label-nl.",
        ),
    ] = None,
) -> None:
    """Add advisory report KEY and store the text of the reaction to it.

    The text is stored as sources/KEY.txt beside the registry. The report is appended
    to the registry file as a new document (nothing else in the file changes), or, in a
    folder registry, written to a new file KEY.yaml.

    Examples:

    $ wrrtrack reports add voorbeeldstad-wijk --title "Samen sterker in de wijk" --publisher "Adviesraad Sociaal Domein Voorbeeldstad" --date 2024-11-05 --reaction "Collegebrief 2025-012" --reaction-date 2025-02-11 --source-file ../docs/examples/voorbeeldstad-reactie.txt --source-kind collegebrief --source-publisher "Gemeente Voorbeeldstad" --reaction-label-nl "Reactie van het college" --reaction-label-en "Municipal executive's reaction"
    """  # noqa: E501
    day = _date(on, "--date") or date.min
    reacted = _date(reaction_date, "--reaction-date") or date.min
    if (label_nl is None) != (label_en is None):
        raise typer.BadParameter(
            "a reaction's label needs both languages: give --reaction-label-nl and "
            "--reaction-label-en, or neither",
            param_hint="'--reaction-label-nl' / '--reaction-label-en'",
        )
    from wrrtrack._model import Label

    label = Label(label_nl, label_en) if label_nl is not None and label_en is not None else None
    registry = _registry(ctx, read=False)
    added = _writing(
        lambda: registry.add_report(
            key,
            title=title,
            publisher=publisher,
            number=number,
            date=day,
            reaction=reaction,
            reaction_date=reacted,
            source_file=Path(source_file),
            url=url,
            source_kind=source_kind,
            source_publisher=source_publisher,
            reaction_label=label,
        )
    )
    _Run.wrote = registry.written or registry.path
    stored = registry.ledger.quote_source_of(added)
    _say(
        f"added report {added.key} to {_Run.wrote}; the reaction's text is stored as "
        f"{registry.root / stored.file} (source '{stored.id}')"
    )


@app.command(cls=Command)
def add(
    ctx: typer.Context,
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The new recommendation's id.")],
    report: Annotated[str, _report_option("The key of its advisory report.")],
    title: Annotated[
        str, typer.Option("--title", metavar="TEXT", help="What the advice is, in a line.")
    ],
    theme: Annotated[str, typer.Option("--theme", "-t", metavar="KEY", help="Its theme.")],
    stance: Annotated[
        str,
        typer.Option(
            "--stance", metavar="KEY", help=f"The stance: {', '.join(STANCES.choices())}."
        ),
    ],
    actor: Annotated[
        list[str],
        typer.Option("--actor", "-a", metavar="KEY", help="Who must act (repeat for several)."),
    ],
    quote: Annotated[
        list[str],
        typer.Option(
            "--quote",
            metavar="TEXT",
            help="A verbatim passage of the report's source text that backs the stance "
            "(repeat for several).",
        ),
    ],
    status: Annotated[
        str,
        typer.Option("--status", "-s", metavar="KEY", help="The status it starts with."),
    ] = "open",
    on: Annotated[
        str | None, _date_option("--date", "-d", help="Default the date of the reaction.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", metavar="NAME", help="Who records it; default git user.name, else login name."
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", metavar="TEXT", help="A note.")
    ] = None,
) -> None:
    """Add recommendation ID to a report, with its first history entry.

    Every key must be one the report may use and every quote must be in the report's
    source text; otherwise nothing is written (exit code 1).

    Examples:

    $ wrrtrack add vsd-3 --report voorbeeldstad-wijk --title "Een extra wijkbudget" --theme wijkaanpak --stance afgewezen --actor college --quote "Het college ziet geen ruimte om een extra wijkbudget in te stellen" --status afgewezen --by "A. Jansen"
    """  # noqa: E501
    day = _date(on, "--date")
    registry = _registry(ctx, read=False)
    # An unknown key is a request the registry refuses (exit 1), as a duplicate id is.
    rec = _writing(
        lambda: registry.add(
            identifier,
            report=report,
            title=title,
            theme=theme,
            stance=stance,
            actors=actor,
            quotes=quote,
            status=status,
            on=day,
            by=by,
            note=note,
        )
    )
    _Run.wrote = registry.written or registry.path
    _say(f"added {rec.id} to report {rec.report} ({rec.status}) in {_Run.wrote}")


@vocab_app.command("add", cls=Command)
def vocab_add(
    ctx: typer.Context,
    name: Annotated[VocabularyName, typer.Argument(metavar="VOCABULARY", help="The vocabulary.")],
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="The new key: lower-case letters, digits, '-'.")
    ],
    nl: Annotated[str, typer.Option("--nl", metavar="LABEL", help="The Dutch label.")],
    en: Annotated[str, typer.Option("--en", metavar="LABEL", help="The English label.")],
    alias: Annotated[
        list[str] | None,
        typer.Option("--alias", metavar="ALIAS", help="Another spelling accepted (repeatable)."),
    ] = None,
    report: Annotated[
        str | None,
        _report_option("Only for this report's recommendations."),
    ] = None,
) -> None:
    """Add KEY to a vocabulary of the registry, or of one report with --report.

    A key or alias that another key already has is refused; a key means the same in every
    report that declares it.

    Examples:

    $ wrrtrack vocab add actors college --nl "college van B en W" --en "municipal executive"
    """
    registry = _registry(ctx, read=False)
    term = _writing(
        lambda: registry.add_term(name, key, nl=nl, en=en, aliases=alias or (), report=report)
    )
    _Run.wrote = registry.written or registry.path
    whose = f"report {registry.report_of(report).key}'s" if report else "the registry's"
    _say(f"added {term.key} to {whose} {name} in {_Run.wrote}")


def _shell_word(text: str) -> str:
    """`text` as one word for the user's shell (quoted only when it needs to be)."""
    import shlex

    if re.fullmatch(r"[\w./:\\-]+", text):
        return text
    return f'"{text}"' if sys.platform == "win32" else shlex.quote(text)


# --- errors, in one place ------------------------------------------------------------------

DEBUG_ENV = "WRRTRACK_DEBUG"


def _error(message: str, prefix: str = "error") -> None:
    """One `error:` line; text from the registry cannot break it or reach the terminal raw.

    A message that cannot be written (stderr closed or full) is dropped: the exit code
    still tells.
    """
    from wrrtrack.render import visible

    _spinner_done()
    with contextlib.suppress(OSError, ValueError):
        print(f"{prefix}: {visible(message)}", file=sys.stderr, flush=True)


def _usage_message(exc: typer.TyperException) -> str:
    """Click's message for a usage error, on one line.

    For a missing option that takes one of several values, Click puts each value on a line
    of its own ("Choose from:\\n\\tjson,\\n\\ttoml"), which an `error:` line would show as
    escapes; those lines are joined. Other messages may quote what the user typed, line
    breaks included, and are left for `_error` to escape."""
    message = exc.format_message()
    if type(exc).__name__ == "MissingParameter":
        message = " ".join(part.strip() for part in message.splitlines())
    return message


def _fail(lines: list[str], code: int = 1) -> NoReturn:
    for line in lines:
        _error(line)
    raise typer.Exit(code)


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
    command.help = _reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        _reflowed(sub)
    return command


def _reflow(text: str | None) -> str | None:
    if not text:
        return text
    import inspect

    return "\n\n".join(
        paragraph
        if all(line.startswith("$ ") for line in paragraph.splitlines())
        else " ".join(line.strip() for line in paragraph.splitlines())
        for paragraph in inspect.cleandoc(text).split("\n\n")
    )


def _command() -> typer.core.TyperGroup:
    """The command line, ready to answer a shell that asks for completions.

    The root group is built by Typer without its subcommands, which `_Subcommands` builds
    as they are looked up, in the order (and with the settings) Typer would use.
    """
    if COMPLETE_VAR in os.environ:  # set by the scripts --show-completion prints
        from typer._completion_classes import completion_init

        completion_init()
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
    command: typer.core.TyperGroup = get_command(bare)  # type: ignore[assignment]
    command.commands = _Subcommands(builders)
    command.help = _reflow(command.help)  # its subcommands: as they are built
    return command


class _ClosedStream(io.TextIOBase):
    """Stands in for stdout or stderr when the process started with it closed (`>&-`):
    writing fails with an OSError that `main` reports, instead of an AttributeError."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"standard {self.name} is closed")

    def isatty(self) -> bool:
        return False


def _prepare_streams() -> None:
    """Streams that cannot fail on text: a closed one stands in as `_ClosedStream`, and
    characters the locale or PYTHONIOENCODING cannot encode are written as escapes."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, _ClosedStream("output" if name == "stdout" else "error"))
        elif isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError, AttributeError):
                stream.reconfigure(errors="backslashreplace")


def _silence(stream: object) -> None:
    """Point a broken stream's descriptor at the null device, so that the interpreter's
    final flush cannot fail (it would print a warning and exit with code 120)."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _flushed(code: int) -> int:
    """Flush stdout and stderr; output that could not be written is a failure (1)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            _silence(stream)
        except (OSError, ValueError):
            _silence(stream)
            if stream is sys.stdout and code == 0:
                _error("cannot write the output (standard output failed)")
                code = 1
    return code


def _returned_code(result: object) -> int:
    """The exit code a command returned; Typer has already turned Ctrl-C into 130."""
    code = result if isinstance(result, int) else 0
    if code == 130:
        _error("interrupted")
    return code


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; every failure becomes `error:` lines and exit code 1 or 2.

    Once a command has replaced a file (`_Run.wrote`), it has succeeded: whatever fails
    afterwards (a message that cannot be printed) is a warning and the exit code is 0,
    so that a script never retries a change that was made. Nothing unexpected ends in a
    traceback: it becomes "internal error" (with the traceback when WRRTRACK_DEBUG=1).
    """
    _prepare_streams()
    _Run.wrote = None
    command = _command()
    code = 1
    failure: str | None = None
    try:
        result = command.main(args=argv, prog_name="wrrtrack", standalone_mode=False)
        code = _returned_code(result)
    except WrrtrackError as exc:
        failure = "; ".join(exc.lines())
        if _Run.wrote is None:
            for line in exc.lines():
                _error(line)
    except typer.TyperException as exc:  # Click's usage errors: exit code 2
        code = getattr(exc, "exit_code", 2)
        usage_ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # Typer has printed the help already
            _error("missing command (see 'wrrtrack --help')")
        else:
            where = f" (see '{usage_ctx.command_path} --help')" if usage_ctx else ""
            _error(f"{_usage_message(exc)}{where}")
    except typer.Abort:
        _error("aborted")
    except BrokenPipeError:
        # The reader went away (`wrrtrack list | head`): not an error of ours.
        _silence(sys.stdout)
        code = 0
    except OSError as exc:
        # Everything that reads or writes files turns its OSErrors into WrrtrackError, so
        # what arrives here failed on the standard streams (closed, full, gone).
        failure = f"cannot write the output: {exc.strerror or exc}"
        _silence(sys.stdout)
        if _Run.wrote is None:
            _error(failure)
    except KeyboardInterrupt:
        _error("interrupted")
        code = 130
    except Exception as exc:  # noqa: BLE001 (the last resort: a bug, never a traceback)
        failure = f"internal error ({type(exc).__name__}: {exc})"
        if _Run.wrote is None:
            _error(f"{failure}, please report it; run with {DEBUG_ENV}=1 to see where it happened")
        if os.environ.get(DEBUG_ENV) == "1":
            import traceback

            with contextlib.suppress(Exception):
                traceback.print_exc()
    if _Run.wrote is not None and code != 0:
        _error(f"{_Run.wrote} was written; then: {failure or 'an error'}", prefix="warning")
        code = 0
    cache = sys.modules.get("wrrtrack._cache")
    if cache is not None:
        cache.release(commit=code == 0)
    sys.exit(_flushed(code))
