"""The command line: parse, make one library call, print. Errors are mapped in `main()`."""

from __future__ import annotations

import re
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, NoReturn

import typer

from wrrtrack import __version__
from wrrtrack.errors import Problem, UnknownTerm, WrrtrackError
from wrrtrack.vocabulary import ACTORS, STANCES, STATUSES, Vocabulary

if TYPE_CHECKING:
    from wrrtrack.registry import Registry

app = typer.Typer(
    name="wrrtrack",
    help="Track the government's follow-up on policy advice (WRR report 103 and others).",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
status_app = typer.Typer(
    help="Change the status of a recommendation, or show its history.", no_args_is_help=True
)
app.add_typer(status_app, name="status")


class ListFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"
    ids = "ids"


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


class Lang(StrEnum):
    nl = "nl"
    en = "en"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Settings(NamedTuple):
    registry: Path | None = None
    use_cache: bool = True


def _keys_help(what: str, vocabulary: Vocabulary) -> str:
    return f"Only {what} (repeat for OR): {', '.join(vocabulary.choices())}."


RecommendationId = Annotated[str, typer.Argument(help="The recommendation's id, e.g. wrr103-7.")]
ActorOption = Annotated[
    list[str] | None, typer.Option("--actor", "-a", help=_keys_help("these actors", ACTORS))
]
StatusOption = Annotated[
    list[str] | None, typer.Option("--status", "-s", help=_keys_help("this status", STATUSES))
]
ThemeOption = Annotated[
    list[str] | None,
    typer.Option("--theme", "-t", help="Only this theme (repeat for OR); see the registry."),
]
StanceOption = Annotated[
    list[str] | None,
    typer.Option("--stance", help=_keys_help("this cabinet stance", STANCES)),
]
SearchOption = Annotated[
    str | None,
    typer.Option("--search", "-q", help="Only where title, quotes or notes contain TEXT."),
]


def _version(value: bool) -> None:
    if value:
        print(f"wrrtrack {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    ctx: typer.Context,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry",
            "-r",
            help="The registry file. Default: $WRRTRACK_REGISTRY, wrrtrack.toml, "
            "data/recommendations.yaml here or above, else the bundled one (read-only).",
            metavar="PATH",
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Parse the registry even if this exact file was parsed before."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = Settings(registry=registry, use_cache=not no_cache)


# --- helpers -----------------------------------------------------------------------------


def _registry(ctx: typer.Context, *, read: bool = True) -> Registry:
    """The registry the global options and cli.md's search order name, read unless asked."""
    from wrrtrack.discover import locate
    from wrrtrack.registry import Registry

    settings: Settings = ctx.find_root().obj
    registry = Registry.at(locate(settings.registry), use_cache=settings.use_cache)
    return registry.read() if read else registry


def _resolve(vocabulary: Vocabulary, given: list[str] | None, option: str) -> frozenset[str]:
    try:
        return frozenset(vocabulary.resolve(g) for g in given or ())
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a real date in the form YYYY-MM-DD", param_hint=f"'{option}'"
        ) from None


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _is_terminal() -> bool:
    return sys.stdout.isatty()


# --- commands ----------------------------------------------------------------------------


@app.command("list")
def list_(
    ctx: typer.Context,
    actor: ActorOption = None,
    status: StatusOption = None,
    theme: ThemeOption = None,
    stance: StanceOption = None,
    search: SearchOption = None,
    output_format: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table (for people), json, csv, md, ids.")
    ] = ListFormat.table,
) -> None:
    """List recommendations, filtered. Piped, the table is tab-separated lines."""
    from wrrtrack.model import Filter

    registry = _registry(ctx)
    vocab = registry.vocabularies
    where = Filter(
        actors=_resolve(vocab.actors, actor, "--actor"),
        statuses=_resolve(vocab.statuses, status, "--status"),
        themes=_resolve(vocab.themes, theme, "--theme"),
        stances=_resolve(vocab.stances, stance, "--stance"),
        search=search,
    )
    recs = registry.select(where)
    if output_format is ListFormat.table and _is_terminal():
        from wrrtrack.render import terminal

        report = registry.report
        caption = (
            f"{len(recs)} of {len(registry.recommendations)} recommendations · "
            f"{report.reaction.reference} · as of {registry.ledger.as_of.isoformat()}"
        )
        terminal.console().print(terminal.list_table(recs, report.name, caption))
        return
    if output_format is ListFormat.table:
        from wrrtrack.render import plain

        _out(plain.list_lines(recs))
        return
    if output_format is ListFormat.md:
        from wrrtrack.render import markdown

        _out(markdown.list_table(recs))
        return
    from wrrtrack.render import machine

    render = {
        ListFormat.json: machine.list_json,
        ListFormat.csv: machine.list_csv,
        ListFormat.ids: machine.ids,
    }[output_format]
    _out(render(recs))


@app.command()
def show(
    ctx: typer.Context,
    identifier: RecommendationId,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text (for people) or json.")
    ] = ShowFormat.text,
) -> None:
    """Show one recommendation in full: stance, quotes, actors, status and history."""
    registry = _registry(ctx)
    rec = registry.get(identifier)
    if output_format is ShowFormat.json:
        from wrrtrack.render import machine

        _out(machine.to_json(machine.detail(rec)))
        return
    from wrrtrack.render import plain

    _out(plain.show_text(rec, registry.vocabularies, registry.report.reaction.reference))


@status_app.command("set")
def status_set(
    ctx: typer.Context,
    identifier: RecommendationId,
    status: Annotated[
        str, typer.Argument(help=f"The new status: {', '.join(STATUSES.choices())}.")
    ],
    note: Annotated[str | None, typer.Option("--note", "-n", help="Why, or what happened.")] = None,
    on: Annotated[
        str | None, typer.Option("--date", "-d", help="YYYY-MM-DD; default today.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who records it; default git user.name, else login name."),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Where it is documented (letter, URL).")
    ] = None,
) -> None:
    """Record a new status (one history entry). Same status again needs --note."""
    day = _date(on, "--date")
    registry = _registry(ctx, read=False)  # set_status reads it once, under its lock
    try:
        after = registry.set_status(identifier, status, note=note, on=day, by=by, source=source)
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'STATUS'") from None
    before, change = after.history[-2].status, after.history[-1]
    arrow = f"{before} -> {after.status}" if before != after.status else "note"
    _say(f"{after.id}: {arrow} ({change.date.isoformat()}) in {registry.path}")


@status_app.command("history")
def status_history(
    ctx: typer.Context,
    identifier: RecommendationId,
    output_format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="table (for people) or json.")
    ] = HistoryFormat.table,
) -> None:
    """Show every dated change of one recommendation, oldest first."""
    rec = _registry(ctx).get(identifier)
    if output_format is HistoryFormat.json:
        from wrrtrack.render import machine

        _out(machine.to_json([machine.change_dict(c) for c in rec.history]))
    elif _is_terminal():
        from wrrtrack.render import terminal

        terminal.console().print(terminal.history_table(rec, rec.history))
    else:
        from wrrtrack.render import plain

        _out(plain.history_lines(rec.history))


@app.command()
def report(
    ctx: typer.Context,
    output_format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="md (Markdown) or html (one self-contained page)."),
    ] = ReportFormat.md,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE (atomically) instead of stdout."),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Labels in Dutch or English.")] = Lang.nl,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="The registry as it stood on this date; default: as it is now."
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Add a section of changes after this date.")
    ] = None,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Only the counts and the changes (after --since, else the latest): "
            "small enough for a CI job summary.",
        ),
    ] = False,
) -> None:
    """Write the status report: summary, per-theme tables, quotes and history."""
    as_of_day = _date(as_of, "--as-of")
    since_day = _date(since, "--since")
    if output_format is ReportFormat.html:
        from wrrtrack.render.html import report as html_report

        render = html_report
    else:
        from wrrtrack.render.markdown import report as markdown_report

        render = markdown_report
    registry = _registry(ctx)
    text = render(
        registry.ledger, lang=lang.value, as_of=as_of_day, since=since_day, summary=summary
    )
    if output is None:
        _out(text)
        return
    from wrrtrack.output import write_output

    write_output(output, text)
    _say(f"wrote {output}")


@app.command()
def validate(ctx: typer.Context) -> None:
    """Check the registry: fields, types, vocabularies, dates, history, and every quote."""
    from wrrtrack.errors import RegistryInvalid
    from wrrtrack.registry import check_quotes

    registry = _registry(ctx, read=False)
    try:
        registry.read()
    except RegistryInvalid as exc:
        # Check the quotes that could be read too, so that one run shows every problem.
        extra = check_quotes(exc.source, exc.quoted).problems if exc.source else []
        problems = sorted([*exc.problems, *extra], key=_file_order)
        _fail([*map(str, problems), f"{len(problems)} problem(s) in {registry.path}"])
    check = registry.check_quotes()
    if check.problems:
        problems = sorted(check.problems, key=_file_order)
        _fail([*map(str, problems), f"{len(problems)} problem(s) in {registry.path}"])
    _out(
        f"ok: {registry.path}: {len(registry.recommendations)} recommendations, "
        f"{check.checked} quotes found in {check.source.name}\n"
    )


def _file_order(problem: Problem) -> tuple[int, int]:
    return (problem.location.line, problem.location.column) if problem.location else (0, 0)


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to create data/recommendations.yaml.")
    ] = Path(),
) -> None:
    """Copy the bundled registry and its source text into DIR, to change them there."""
    from wrrtrack.registry import copy_bundled

    created = copy_bundled(directory)
    _say(f"created {created}; run wrrtrack commands in {directory} to use it")


# --- errors, in one place ------------------------------------------------------------------


def _error(message: str) -> None:
    """One `error:` line; text from the registry cannot break it or reach the terminal raw."""
    from wrrtrack.render import visible

    print(f"error: {visible(message)}", file=sys.stderr)


def _fail(lines: list[str], code: int = 1) -> NoReturn:
    for line in lines:
        _error(line)
    raise typer.Exit(code)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; every failure becomes `error:` lines and exit code 1 or 2."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="wrrtrack", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except WrrtrackError as exc:
        for line in exc.lines():
            _error(line)
        code = 1
    except typer.TyperException as exc:  # Click's usage errors: exit code 2
        code = getattr(exc, "exit_code", 2)
        usage_ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # Typer has printed the help already
            _error("missing command (see 'wrrtrack --help')")
        else:
            where = f" (see '{usage_ctx.command_path} --help')" if usage_ctx else ""
            _error(f"{exc.format_message()}{where}")
    except typer.Abort:
        _error("aborted")
        code = 1
    except BrokenPipeError:
        # The reader went away (`wrrtrack list | head`): not an error of ours.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 1
    except KeyboardInterrupt:
        _error("interrupted")
        code = 130
    sys.exit(code)
