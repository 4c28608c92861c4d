"""The commands that read the registry: list, show, status history, vocab, sources,
reports. Each selects, then hands its renderings to `present`, which picks one."""

# No `from __future__ import annotations` here (see _options).

from typing import TYPE_CHECKING, Annotated

import typer

from wrrtrack._errors import WrrtrackError
from wrrtrack.cli._app import language, registry_of, view_of
from wrrtrack.cli._options import (
    ActorOption,
    JsonFlag,
    LangOption,
    ListFormat,
    PipedTableFormatOption,
    RecommendationId,
    ReportOption,
    SearchOption,
    ShowFormat,
    StanceOption,
    StatusOption,
    TableFormatOption,
    ThemeOption,
    VocabularyName,
    format_option,
    parse_date,
    report_keys,
    resolve,
    vocabulary_choice,
)
from wrrtrack.cli._present import present

if TYPE_CHECKING:
    from datetime import date

    from wrrtrack._model import Recommendation
    from wrrtrack._registry import Registry


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
        format_option(
            "table (for people; piped, the same as tsv), tsv (tab-separated), json, "
            "csv, md (Markdown), ids."
        ),
    ] = "table",
    as_json: JsonFlag = False,
    header: Annotated[
        bool, typer.Option("--header", help="tsv (or a piped table): start with the column names.")
    ] = False,
    lang: LangOption = None,
    overdue: Annotated[
        bool,
        typer.Option(
            "--overdue", help="Only those past their deadline (due before today), not final."
        ),
    ] = False,
    due_before: Annotated[
        str | None,
        typer.Option("--due-before", metavar="YYYY-MM-DD", help="Only those due before this date."),
    ] = None,
    stale: Annotated[
        str | None,
        typer.Option(
            "--stale",
            metavar="DURATION",
            help="Only those with no history entry for DURATION (90d, 12m, 2y), not final.",
        ),
    ] = None,
) -> None:
    """List recommendations, filtered. Piped, the table is tab-separated lines.

    Text formats: columns id, title, theme, stance, actors, status, updated; actors joined by ';'.

    Examples:

    $ wrrtrack list --actor gemeente
    $ wrrtrack list --search richtgetallen --format csv
    $ wrrtrack list --status doorgeschoven --format json
    """
    from wrrtrack._model import Filter

    before = parse_date(due_before, "--due-before")
    view = view_of(ctx)  # from the index of a large registry: only what is listed is read
    ledger = view.ledger
    vocab = ledger.vocabularies
    where = Filter(
        actors=resolve(vocab.actors, actor, "--actor"),
        statuses=resolve(vocab.statuses, status, "--status"),
        themes=resolve(vocab.themes, theme, "--theme"),
        stances=resolve(vocab.stances, stance, "--stance"),
        search=search,
        reports=report_keys(ledger, report),
    )
    recs = view.select(where.resolved(vocab, [r.key for r in ledger.reports]))
    if overdue or before is not None or stale is not None:
        recs = _following(registry_of(ctx), recs, overdue=overdue, before=before, stale=stale)

    def table(width: int | None) -> str:
        from wrrtrack.render import plain, terminal

        words = plain.WORDS[language(ctx, lang)]
        shown = [r for r in ledger.reports if not where.reports or r.key in where.reports]
        one = shown[0] if len(shown) == 1 else None
        # "2 of 7": of the recommendations of the reports listed, not of the whole registry.
        total = view.count(where.reports)
        dated = view.as_of if ledger.reports else None  # an empty registry is as of no day
        caption = " · ".join(
            (
                words["count"].format(shown=len(recs), total=total),
                *([one.reaction.reference] if one else []),
                *([words["as_of"].format(day=dated.isoformat())] if dated else []),
            )
        )
        rich_table = terminal.list_table(
            recs,
            width=width or 80,
            lang=language(ctx, lang),
            title=one.name if one else words["reports"].format(count=len(shown)),
            caption=caption,
            with_report=len(shown) > 1,
        )
        return terminal.render([rich_table])

    def tsv(width: int | None) -> str:
        from wrrtrack.render import plain

        return plain.list_lines(recs, header=header)

    def md(width: int | None) -> str:
        from wrrtrack.render import markdown

        return markdown.list_table(recs)

    def json(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.list_json(recs)

    def csv(width: int | None) -> str:
        from wrrtrack.render import csv_for_stdout, machine

        return csv_for_stdout(machine.list_csv(recs), terminal=width is not None)

    def ids(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.ids(recs)

    renderings = {"table": table, "tsv": tsv, "md": md, "json": json, "csv": csv, "ids": ids}
    present(output_format, renderings, as_json=as_json)


def _following(
    registry: "Registry",
    recs: "list[Recommendation]",
    *,
    overdue: bool,
    before: "date | None",
    stale: str | None,
) -> "list[Recommendation]":
    """`recs` narrowed by `--overdue`, `--due-before` and `--stale` (today in the
    registry's time zone)."""
    from wrrtrack import clock

    today = clock.today(registry.timezone)
    ledger = registry.ledger
    kept = {rec.id for rec in recs}
    if overdue:
        kept &= {rec.id for rec in ledger.overdue(today)}
    if before is not None:
        kept &= {rec.id for rec in recs if rec.due is not None and rec.due < before}
    if stale is not None:
        try:
            since = clock.ago(today, stale)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--stale'") from None
        kept &= {rec.id for rec in ledger.stale(since)}
    return [rec for rec in recs if rec.id in kept]


def show(
    ctx: typer.Context,
    identifier: RecommendationId,
    report: ReportOption = None,
    output_format: Annotated[ShowFormat, format_option("text (for people) or json.")] = "text",
    as_json: JsonFlag = False,
    lang: LangOption = None,
) -> None:
    """Show recommendation ID in full: stance, quotes, actors, status and history.

    Examples:

    $ wrrtrack show wrr103-7 --lang en
    """
    view = view_of(ctx)  # from the index of a large registry: one record is read
    rec = view.get(identifier)
    ledger = view.ledger
    keys = report_keys(ledger, report)
    if keys and rec.report not in keys:
        raise WrrtrackError(
            f"{rec.id} belongs to report {rec.report}, not to {', '.join(sorted(keys))}"
        )

    def json(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.to_json(machine.detail(rec, ledger))

    def text(width: int | None) -> str:
        from wrrtrack.render import plain

        # At a terminal, as wide as it is (up to 100 columns, for reading); piped, 88.
        shown = min(width, 100) if width is not None else 88
        return plain.show_text(rec, ledger, width=shown, lang=language(ctx, lang))

    present(output_format, {"json": json, "text": text}, as_json=as_json)


def status_history(
    ctx: typer.Context,
    identifier: RecommendationId,
    output_format: TableFormatOption = "table",
    as_json: JsonFlag = False,
) -> None:
    """Show every dated change of recommendation ID, oldest first.

    Examples:

    $ wrrtrack status history wrr103-4
    """
    registry = registry_of(ctx)
    rec = registry.get(identifier)

    def json(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.to_json([machine.change_dict(c, registry.ledger) for c in rec.history])

    def table(width: int | None) -> str:
        from wrrtrack.render import terminal

        rich_table = terminal.history_table(
            rec, rec.history, registry.ledger, width=width or 80, lang=language(ctx, None)
        )
        return terminal.render([rich_table])

    def tsv(width: int | None) -> str:
        from wrrtrack.render import plain

        return plain.history_lines(rec.history, registry.ledger, language(ctx, None))

    present(output_format, {"json": json, "table": table, "tsv": tsv}, as_json=as_json)


def vocab(
    ctx: typer.Context,
    name: Annotated[
        VocabularyName | None,
        typer.Argument(
            metavar="[VOCABULARY]",
            help="actors, stances, statuses or themes (or actor, …); default all four.",
            click_type=vocabulary_choice(),
            show_default=False,
        ),
    ] = None,
    output_format: PipedTableFormatOption = "table",
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

    vocabularies = registry_of(ctx).vocabularies
    sections = [name] if name else list(SECTIONS)

    def json(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.to_json(machine.vocabularies(vocabularies, sections))

    def table(width: int | None) -> str:
        from wrrtrack.render import terminal

        return terminal.render(
            terminal.vocabulary_tables(vocabularies, sections, width=width or 80)
        )

    def tsv(width: int | None) -> str:
        from wrrtrack.render import plain

        return plain.vocabulary_lines(vocabularies, sections)

    present(output_format, {"json": json, "table": table, "tsv": tsv}, as_json=as_json)


def sources(
    ctx: typer.Context,
    output_format: TableFormatOption = "table",
    as_json: JsonFlag = False,
) -> None:
    """List the stored sources: id, kind, date, title, web address and the state of the
    stored file (ok, changed, missing, refused). Piped, the table is tab-separated lines.

    Examples:

    $ wrrtrack sources
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = registry_of(ctx).sources()

    def json(width: int | None) -> str:
        from wrrtrack.render import machine

        return machine.sources_json(rows)

    def table(width: int | None) -> str:
        from wrrtrack.render import terminal

        return terminal.render([terminal.sources_table(rows, width=width or 80)], width=width)

    def tsv(width: int | None) -> str:
        from wrrtrack.render import plain

        return plain.sources_lines(rows)

    present(output_format, {"json": json, "table": table, "tsv": tsv}, as_json=as_json)


def reports(
    ctx: typer.Context,
    output_format: PipedTableFormatOption = "table",
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

    registry = registry_of(ctx)

    def json(width: int | None) -> str:
        return machine.reports_json(registry.ledger)

    def table(width: int | None) -> str:
        from wrrtrack.render import terminal

        rows = machine.report_counts(registry.ledger)
        rich_table = terminal.reports_table(
            rows, registry.vocabularies, width=width or 80, lang=language(ctx, lang)
        )
        return terminal.render([rich_table])

    def tsv(width: int | None) -> str:
        from wrrtrack.render import plain

        return plain.reports_lines(machine.report_counts(registry.ledger), language(ctx, lang))

    present(output_format, {"json": json, "table": table, "tsv": tsv}, as_json=as_json)
