"""The commands that correct what was entered: edit a recommendation, remove one. Each
makes one library call and says on stderr what it changed."""

# No `from __future__ import annotations` here (see _options).

from pathlib import Path
from typing import Annotated

import typer

from wrrtrack._vocabulary import STANCES
from wrrtrack.cli import _streams
from wrrtrack.cli._app import registry_of, written
from wrrtrack.cli._options import (
    DueOption,
    RecommendationId,
    ReviewOption,
    parse_date,
    writing,
)

# The fields `edit` may change, in the order of a record (and of its messages).
_FIELDS = ("title", "theme", "stance", "actors", "quotes", "due", "review")


def edit(
    ctx: typer.Context,
    identifier: RecommendationId,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="The new title.")
    ] = None,
    theme: Annotated[
        str | None, typer.Option("--theme", "-t", metavar="KEY", help="The new theme.")
    ] = None,
    stance: Annotated[
        str | None,
        typer.Option(
            "--stance", metavar="KEY", help=f"The new stance: {', '.join(STANCES.choices())}."
        ),
    ] = None,
    actor: Annotated[
        list[str] | None,
        typer.Option(
            "--actor",
            "-a",
            metavar="KEY",
            help="Who must act (repeat for several): replaces all its actors.",
        ),
    ] = None,
    quote: Annotated[
        list[str] | None,
        typer.Option(
            "--quote",
            metavar="TEXT",
            help="A verbatim passage of the report's source text (repeat for several): "
            "replaces all its quotes.",
        ),
    ] = None,
    due: DueOption = None,
    review: ReviewOption = None,
) -> None:
    """Correct recommendation ID: each option given replaces that field.

    The rules of 'add' hold: every key must be one its report may use and every quote must
    be in the report's source text; otherwise nothing is written (exit code 1). Only the
    lines of the fields that change are rewritten; its history is left as it is (use
    'status set' to add to it).

    Examples:

    $ wrrtrack edit vsd-2 --title "Wachttijden schuldhulpverlening halveren" --actor college
    """
    given = (title, theme, stance, actor, quote, due, review)
    if all(value is None for value in given):
        from typer._click.exceptions import UsageError  # Typer re-exports only BadParameter

        raise UsageError(
            "give at least one field to change: --title, --theme, --stance, --actor, --quote, "
            "--due or --review",
            ctx,
        )
    due_day, review_day = parse_date(due, "--due"), parse_date(review, "--review")
    registry = registry_of(ctx, read=False)
    result = writing(
        lambda: registry.edit(
            identifier,
            title=title,
            theme=theme,
            stance=stance,
            actors=actor,
            quotes=quote,
            due=due_day,
            review=review_day,
        )
    )
    before, after = result
    if not result.changed:
        _streams.say(f"nothing to change: {after.id} already has those values")
        return
    changed = [name for name in _FIELDS if getattr(before, name) != getattr(after, name)]
    names = " and ".join([", ".join(changed[:-1]), changed[-1]] if changed[1:] else changed)
    _streams.say(f"changed the {names} of {after.id} in {written(registry)}")


def remove(ctx: typer.Context, identifier: RecommendationId) -> None:
    """Remove recommendation ID, entered by mistake, with its history.

    Its lines go, and the blank line that separated it from the others: the file reads as
    if it had never been there. Git keeps the old text when the file was committed; the
    message says whether it was. To record that advice was dropped, set its status instead
    ('status set ID vervallen').

    Examples:

    $ wrrtrack remove vsd-3
    """
    registry = registry_of(ctx, read=False)
    rec = writing(lambda: registry.remove(identifier))
    path = written(registry)
    from wrrtrack._git import tracked

    kept = (
        "git keeps the old text"
        if tracked(Path(path))
        else "the file is not committed in git, so its old text is not kept anywhere"
    )
    _streams.say(f'removed {rec.id} ("{rec.title}") of report {rec.report} from {path}; {kept}')
