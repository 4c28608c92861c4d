"""`status set`: record follow-up, one history entry for each of the ids given; the one
library call, and a line on stderr for each id."""

# No `from __future__ import annotations` here (see _options).

from typing import Annotated

import typer

from wrrtrack._errors import UnknownTerm
from wrrtrack._vocabulary import STATUSES
from wrrtrack.cli import _streams
from wrrtrack.cli._app import registry_of, written
from wrrtrack.cli._completion import complete_ids_or_status, completed_by, key_completer
from wrrtrack.cli._options import (
    ByOption,
    RelatedFlag,
    ResponseFlag,
    date_option,
    parse_date,
    relation_of,
    writing,
)


def status_set(
    ctx: typer.Context,
    identifiers: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...",
            help="The recommendations' ids, e.g. wrr103-7 (one or more).",
            click_type=completed_by(complete_ids_or_status),
            show_default=False,
        ),
    ],
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help=f"The new status: {', '.join(STATUSES.choices())}.",
            click_type=completed_by(key_completer("statuses")),
            show_default=False,
        ),
    ],
    note: Annotated[
        str | None, typer.Option("--note", "-n", metavar="TEXT", help="Why, or what happened.")
    ] = None,
    on: Annotated[str | None, date_option("--date", "-d", help="Default today.")] = None,
    by: ByOption = None,
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
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Record an entry equal to the newest one (refused without it, as a "
            "probable retry).",
        ),
    ] = False,
    related: RelatedFlag = False,
    response: ResponseFlag = False,
) -> None:
    """Record STATUS for each recommendation ID (one history entry each, all or none).
    Same status again needs --note.

    Examples:

    $ wrrtrack status set wrr103-4 uitgevoerd --note "Voorbeeld" --date 2026-11-01
    $ wrrtrack status set wrr103-1 wrr103-2 in-uitvoering --date 2026-11-01
    """
    day = parse_date(on, "--date")
    relation = relation_of(related, response)
    registry = registry_of(ctx, read=False)  # set_statuses reads it once, under its lock
    try:
        updates = writing(
            lambda: registry.set_statuses(
                identifiers,
                status,
                note=note,
                on=day,
                by=by,
                source=source,
                quotes=quote or (),
                again=again,
                relation=relation,
            )
        )
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'STATUS'") from None
    written(registry)
    for update in updates:
        before, after = update.before.status, update.after.status
        arrow = f"{before} -> {after}" if before != after else "note"
        where = update.path or registry.path
        _streams.say(f"{update.after.id}: {arrow} ({update.change.date.isoformat()}) in {where}")
