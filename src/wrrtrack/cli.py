"""The command line: parse, make one library call, print. Errors are mapped in `main()`."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, NoReturn

import typer

from wrrtrack import __version__
from wrrtrack._errors import UnknownTerm, WrrtrackError
from wrrtrack._vocabulary import ACTORS, STANCES, STATUSES, Vocabulary

if TYPE_CHECKING:
    from wrrtrack._registry import Registry
    from wrrtrack._vocabulary import Language
    from wrrtrack.discover import Located

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


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


class ExportFormat(StrEnum):
    json = "json"
    toml = "toml"
    csv = "csv"
    sqlite = "sqlite"


class Lang(StrEnum):
    nl = "nl"
    en = "en"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Settings(NamedTuple):
    registry: Path | None = None
    use_cache: bool = True


class _Run:
    """What this run has done that cannot be undone: once a file is replaced, the command
    has succeeded, whatever fails afterwards (see `main`)."""

    wrote: Path | None = None


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
        str | None,  # not Path: Typer's Path check fails on a NUL; discover checks it
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
    ctx.obj = Settings(registry=Path(registry) if registry else None, use_cache=not no_cache)


# --- helpers -----------------------------------------------------------------------------


def _located(ctx: typer.Context) -> Located:
    from wrrtrack.discover import locate

    settings: Settings = ctx.find_root().obj
    return locate(settings.registry)


def _registry(ctx: typer.Context, *, read: bool = True) -> Registry:
    """The registry the global options and the search order name, read unless asked."""
    from wrrtrack import _cache as cache
    from wrrtrack._registry import Registry

    cache.hold()  # main() writes the cache only when the command has succeeded
    settings: Settings = ctx.find_root().obj
    registry = Registry.at(_located(ctx), use_cache=settings.use_cache)
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
    """A message for the user on stderr, on one line with control characters escaped."""
    from wrrtrack.render import visible

    print(visible(message), file=sys.stderr, flush=True)


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
    from wrrtrack._model import Filter

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


_STATUS_SET_OPTIONS = {"note": "--note", "on": "--date", "by": "--by", "source": "--source"}


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
    from wrrtrack._errors import InvalidChange

    day = _date(on, "--date")
    registry = _registry(ctx, read=False)  # set_status reads it once, under its lock
    try:
        update = registry.set_status(identifier, status, note=note, on=day, by=by, source=source)
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'STATUS'") from None
    except InvalidChange as exc:  # the library names its arguments; say which option
        _fail([exc.spelled(lambda name: _STATUS_SET_OPTIONS.get(name, name))])
    _Run.wrote = registry.path
    before, after = update.before.status, update.after.status
    arrow = f"{before} -> {after}" if before != after else "note"
    _say(f"{update.after.id}: {arrow} ({update.change.date.isoformat()}) in {registry.path}")


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
    output: OutputOption = None,
    lang: Annotated[
        Lang | None,
        typer.Option("--lang", help="Labels in Dutch or English; default: wrrtrack.toml, else nl."),
    ] = None,
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
        from wrrtrack.render.html import status_report as html_report

        render = html_report
    else:
        from wrrtrack.render.markdown import status_report as markdown_report

        render = markdown_report
    located = _located(ctx)
    registry = _registry(ctx)
    language: Language = "en" if (lang.value if lang else located.lang) == "en" else "nl"
    _check_output(output, registry)
    text = render(registry.ledger, lang=language, as_of=as_of_day, since=since_day, summary=summary)
    _deliver(text, output, registry)


def _to_stdout(output: str | None) -> bool:
    return output is None or output == "-"


def _check_output(output: str | None, registry: Registry) -> None:
    """Refuse an --output path before the work, not after it (`output.check_output`)."""
    if not _to_stdout(output):
        from wrrtrack.output import check_output, stored_files

        check_output(str(output), stored_files(registry))


def _deliver(content: str | bytes, output: str | None, registry: Registry) -> None:
    """Print `content`, or write it to the --output file atomically and say so."""
    if _to_stdout(output):
        assert isinstance(content, str)  # noqa: S101 (binary output always needs --output)
        _out(content)
        return
    from wrrtrack.output import stored_files, write_output

    written = write_output(str(output), content, stored_files(registry))
    _Run.wrote = written
    _say(f"wrote {written}")


@app.command()
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
    ] = ValidateFormat.text,
) -> None:
    """Check the registry: fields, types, vocabularies, dates, history, and every quote."""
    from wrrtrack.render import validation

    result = _registry(ctx, read=False).validate()
    if output_format is ValidateFormat.json:
        _out(validation.json_problems(result))
    elif output_format is ValidateFormat.github:
        _out(validation.github_annotations(result))
    if not result.ok:
        if output_format is ValidateFormat.text:
            _fail(validation.error_lines(result))
        raise typer.Exit(1)
    if output_format is not ValidateFormat.json:
        _out(validation.ok_line(result))


@app.command()
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
        typer.Option(
            "--report",
            help="Only this report, by key (repeat for OR); default: every report.",
            metavar="KEY",
        ),
    ] = None,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="Start the CSV with a UTF-8 byte-order mark (for Excel)."),
    ] = False,
) -> None:
    """Export the whole registry: reports, vocabularies, recommendations, quotes, history."""
    from wrrtrack.render import export as render

    if output_format is ExportFormat.sqlite and _to_stdout(output):
        raise typer.BadParameter(
            "an SQLite database is a file: name it with --output FILE", param_hint="'--output'"
        )
    if bom and output_format is not ExportFormat.csv:
        raise typer.BadParameter("only a CSV export has a byte-order mark", param_hint="'--bom'")
    registry = _registry(ctx)
    keys = _report_keys(registry, report_keys)
    _check_output(output, registry)
    ledger = registry.ledger
    content: str | bytes
    if output_format is ExportFormat.json:
        content = render.json_text(ledger, keys)
    elif output_format is ExportFormat.toml:
        content = render.toml_text(ledger, keys)
    elif output_format is ExportFormat.csv:
        content = render.csv_text(ledger, keys, bom=bom)
    else:
        content = render.sqlite_bytes(ledger, keys)
    _deliver(content, output, registry)


def _report_keys(registry: Registry, given: list[str] | None) -> list[str]:
    """The canonical keys of the reports `--report` names; an unknown one is a usage error."""
    from wrrtrack._export import report_keys

    known = {key.casefold(): key for key in report_keys(registry.ledger)}
    chosen = []
    for key in given or ():
        if key.strip().casefold() not in known:
            raise typer.BadParameter(
                f"unknown report '{key}'; valid: {', '.join(known.values())}",
                param_hint="'--report'",
            )
        chosen.append(known[key.strip().casefold()])
    return chosen


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of a registry file, for editors and CI."""
    from wrrtrack.render.jsonschema import registry_schema_text

    _out(registry_schema_text())


@app.command()
def init(
    name: Annotated[
        str,
        typer.Argument(
            help="Where to create data/recommendations.yaml and wrrtrack.toml.", metavar="DIR"
        ),
    ] = ".",
) -> None:
    """Copy the bundled registry and its source text into DIR, to change them there.

    Writes DIR/wrrtrack.toml naming the copy, so that commands run in DIR use it. Creates
    only new files: nothing that exists is overwritten.
    """
    from wrrtrack import _cache as cache
    from wrrtrack.init import init as make

    cache.hold()
    directory = Path(name)
    created = make(directory)
    _Run.wrote = created.config
    _say(f"created {created.registry}, its source text and {created.config}")
    go = "" if directory == Path() else f"cd {_shell_word(str(directory))} && "
    _say(f"to use it, run: {go}wrrtrack list")


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

    with contextlib.suppress(OSError, ValueError):
        print(f"{prefix}: {visible(message)}", file=sys.stderr, flush=True)


def _fail(lines: list[str], code: int = 1) -> NoReturn:
    for line in lines:
        _error(line)
    raise typer.Exit(code)


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


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; every failure becomes `error:` lines and exit code 1 or 2.

    Once a command has replaced a file (`_Run.wrote`), it has succeeded: whatever fails
    afterwards (a message that cannot be printed) is a warning and the exit code is 0,
    so that a script never retries a change that was made. Nothing unexpected ends in a
    traceback: it becomes "internal error" (with the traceback when WRRTRACK_DEBUG=1).
    """
    _prepare_streams()
    _Run.wrote = None
    command = typer.main.get_command(app)
    code = 1
    failure: str | None = None
    try:
        result = command.main(args=argv, prog_name="wrrtrack", standalone_mode=False)
        code = result if isinstance(result, int) else 0
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
            _error(f"{exc.format_message()}{where}")
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
