"""The commands that publish the registry: report, validate, export, schema. Their output
goes to stdout or, with --output, atomically to a file (`present`)."""

# No `from __future__ import annotations` here (see _options).

import contextlib
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wrrtrack._errors import WrrtrackError
from wrrtrack.cli import _streams
from wrrtrack.cli._app import language, located, registry_of
from wrrtrack.cli._options import (
    ChangesFormat,
    ExportFormat,
    JsonFlag,
    LangOption,
    OutputOption,
    ReportFormat,
    ReportOption,
    ValidateFormat,
    date_option,
    format_option,
    parse_date,
    report_option,
)
from wrrtrack.cli._options import report_keys as named_reports
from wrrtrack.cli._present import Render, destination, kept_files, present

if TYPE_CHECKING:
    from wrrtrack.cli._output import Kept


def report(
    ctx: typer.Context,
    output_format: Annotated[
        ReportFormat, format_option("md (Markdown) or html (one self-contained page).")
    ] = "md",
    output: OutputOption = None,
    lang: LangOption = None,
    as_of: Annotated[
        str | None,
        date_option(
            "--as-of", help="The registry as it stood on this date; default: as it is now."
        ),
    ] = None,
    since: Annotated[
        str | None, date_option("--since", help="Add a section of changes after this date.")
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
    as_of_day = parse_date(as_of, "--as-of")
    since_day = parse_date(since, "--since")
    registry = registry_of(ctx)
    lang_chosen = language(ctx, lang)
    to = destination(output, kept_files(registry))
    ledger = registry.ledger
    if not ledger.reports:
        raise WrrtrackError("the registry holds no report yet; add one with 'reports add'")
    keys = named_reports(registry, report_keys)
    if keys:
        ledger = ledger.of_reports(keys)

    def md(width: int | None) -> str:
        from wrrtrack.render.markdown import status_report

        return status_report(
            ledger, lang=lang_chosen, as_of=as_of_day, since=since_day, summary=summary
        )

    def html(width: int | None) -> str:
        from wrrtrack.render.html import status_report

        return status_report(
            ledger, lang=lang_chosen, as_of=as_of_day, since=since_day, summary=summary
        )

    present(output_format, {"md": md, "html": html}, to=to)


@_streams.shows_progress("checking the registry")
def validate(
    ctx: typer.Context,
    output_format: Annotated[
        ValidateFormat,
        format_option(
            "text (for people), json (a list of problems), or github (annotations for "
            "GitHub Actions)."
        ),
    ] = "text",
) -> None:
    """Check the registry: fields, types, vocabularies, dates, history, and every quote.

    Examples:

    $ wrrtrack validate
    """
    from wrrtrack.render import validation

    result = registry_of(ctx, read=False).validate()
    if output_format != "text":  # the problems go to stdout; as text, to stderr
        renderings: dict[str, Render] = {
            "json": lambda width: validation.json_problems(result),
            "github": lambda width: validation.github_annotations(result),
        }
        present(output_format, renderings)
    if not result.ok:
        if output_format == "text":
            _streams.fail(validation.error_lines(result))
        raise typer.Exit(1)
    if output_format != "json":
        _streams.out(validation.ok_line(result))


@_streams.shows_progress("exporting the registry")
def export(
    ctx: typer.Context,
    output_format: Annotated[
        ExportFormat,
        format_option(
            "json or toml (lossless: every field), csv (one row per recommendation), "
            "sqlite (one table per kind of record; needs --output)."
        ),
    ],
    output: OutputOption = None,
    report_keys: Annotated[
        list[str] | None,
        report_option("Only this report, by key (repeat for OR); default: every report."),
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

    if output_format == "sqlite" and output in (None, "-"):
        raise typer.BadParameter(
            "an SQLite database is a file: name it with --output FILE", param_hint="'--output'"
        )
    if bom and output_format != "csv":
        raise typer.BadParameter("only a CSV export has a byte-order mark", param_hint="'--bom'")
    registry = registry_of(ctx)
    keys = named_reports(registry, report_keys)
    to = destination(output, kept_files(registry))
    ledger = registry.ledger

    def csv_text(text: str, width: int | None) -> str:
        if not to.stdout:
            return text  # the cells as they are, in the file
        from wrrtrack.render import csv_for_stdout

        return csv_for_stdout(text, terminal=width is not None)

    renderings: dict[str, Render] = {
        "json": lambda width: render.json_text(ledger, keys),
        "toml": lambda width: render.toml_text(ledger, keys),
        "csv": lambda width: csv_text(render.csv_text(ledger, keys, bom=bom), width),
        "sqlite": lambda width: render.sqlite_bytes(ledger, keys),
    }
    present(output_format, renderings, to=to)


def schema(ctx: typer.Context, output: OutputOption = None) -> None:
    """Print the schema of a registry file (draft 2020-12), for editors to check it by.

    Examples:

    $ wrrtrack schema --output registry.schema.json
    """
    from wrrtrack.render.jsonschema import registry_schema_text

    # The schema needs no registry; --output still never replaces the one that is found.
    kept: Kept = []
    if output not in (None, "-"):
        from wrrtrack.cli._output import located_files

        with contextlib.suppress(WrrtrackError):
            kept = located_files(located(ctx))
    to = destination(output, kept)
    present("json", {"json": lambda width: registry_schema_text()}, to=to)


def _point_option(name: str, help: str) -> Any:
    """`--since` / `--until` of `changes`: a date or a git revision."""
    return typer.Option(name, metavar="DATE|REV", help=help)


def _point(value: str | None, option: str) -> date | None:
    """The day a `--since`/`--until` value names; None for a revision. Anything shaped as
    a date is one: an impossible date is a usage error, as for every date option."""
    from wrrtrack._changes import as_date

    if value == "":
        raise typer.BadParameter(
            "the value is empty: give a date (YYYY-MM-DD) or a git revision",
            param_hint=f"'{option}'",
        )
    try:
        return as_date(value)
    except ValueError:
        return parse_date(value, option)  # raises its usage error


def changes(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        _point_option(
            "--since",
            "A date (YYYY-MM-DD: the history entries dated after it) or a git revision (the "
            "registry as it was in that commit); default HEAD.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        _point_option(
            "--until", "A date or a git revision; default the registry as it is on disk."
        ),
    ] = None,
    report_keys: ReportOption = None,
    output_format: Annotated[
        ChangesFormat,
        format_option(
            "table (for people; piped, tab-separated), md (Markdown, for a pull request "
            "or a job summary) or json."
        ),
    ] = "table",
    as_json: JsonFlag = False,
    lang: LangOption = None,
) -> None:
    """Show what the registry records as changed between two points: recommendations,
    history entries, sources and reports (between revisions), or history entries (between
    dates).

    A revision is any commit git names (a branch, a tag, a hash, the last commit's parent)
    in the repository holding the registry: 'changes --since main' is what a branch
    changes, 'changes' alone what is not committed yet.

    Piped: one tab-separated line per change (change, id, date, status before, status,
    detail).

    Examples:

    $ wrrtrack changes --since 2024-01-01
    $ wrrtrack changes --since 2024-01-01 --format md --lang en
    """
    from wrrtrack._errors import UnknownTerm

    since_day, until_day = _point(since, "--since"), _point(until, "--until")
    if until_day is not None and since_day is None:
        raise typer.BadParameter("a date needs --since to be a date too", param_hint="'--until'")
    if since_day is not None and until_day is not None and until_day < since_day:
        raise typer.BadParameter(
            f"{until} is before --since {since}: give the earlier date to --since",
            param_hint="'--until'",
        )
    registry = registry_of(ctx, read=False)
    try:
        found = registry.changes(since, until, reports=report_keys or ())
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'--report'") from None

    def json_(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.changes_json(found)

    def md(width: int | None) -> str:
        from wrrtrack.render import markdown

        return markdown.changes_table(found, registry.vocabularies.statuses, language(ctx, lang))

    def table(width: int | None) -> str:
        from wrrtrack.render import terminal

        statuses = registry.vocabularies.statuses
        shown = terminal.changes_table(found, statuses, width=width or 80, lang=language(ctx, lang))
        return terminal.render([shown])

    def tsv(width: int | None) -> str:
        from wrrtrack.render import plain

        return plain.changes_lines(found)

    present(output_format, {"json": json_, "md": md, "table": table, "tsv": tsv}, as_json=as_json)
