"""The commands that change files: add, vocab add, reports add, sources update, init
(status set: `_following`). Each makes one library call, records what it wrote, and says
so on stderr."""

# No `from __future__ import annotations` here (see _options).

import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from wrrtrack._vocabulary import STANCES
from wrrtrack.cli import _streams
from wrrtrack.cli._app import registry_of, written
from wrrtrack.cli._options import (
    ByOption,
    DueOption,
    ReviewOption,
    VocabularyName,
    date_option,
    parse_date,
    report_option,
    vocabulary_choice,
    writing,
)


def sources_update(
    ctx: typer.Context,
    identifier: Annotated[str, typer.Argument(help="The source's id.", metavar="ID")],
) -> None:
    """Re-check every quote citing source ID and record the stored file's new fingerprint;
    if a quote broke, list it and change nothing.

    Examples:

    $ wrrtrack sources update wrr-samenvatting-kabinetsreactie
    """
    registry = registry_of(ctx, read=False)
    update = registry.update_source(identifier)
    if not update.changed:
        _streams.say(
            f"{update.source.id}: {update.source.file} matches its fingerprint; nothing to do"
        )
        return
    _streams.say(
        f"{update.source.id}: {update.checked} quote(s) still found; recorded sha256 "
        f"{update.after[:12]}… (was {(update.before or 'none')[:12]}…) in {written(registry)}"
    )


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
    """Copy the bundled registry and its source text into DIR; --blank: an empty one.

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
    from wrrtrack.cli._init import init as make

    cache.hold()
    directory = Path(name)
    created = make(directory, blank=blank, folder=folder)
    _streams.wrote(created.config)
    if blank and folder:
        _streams.say(f"created an empty folder registry {created.registry} and {created.config}")
    elif blank:
        _streams.say(f"created an empty registry {created.registry} and {created.config}")
    elif folder:
        _streams.say(
            f"created a folder registry {created.registry} holding a copy of the bundled "
            f"registry, its source text and {created.config}"
        )
    else:
        _streams.say(f"created {created.registry}, its source text and {created.config}")
    go = "" if directory == Path() else f"cd {_shell_word(str(directory))} && "
    _streams.say(f"to use it, run: {go}wrrtrack list")


def _shell_word(text: str) -> str:
    """`text` as one word for the user's shell (quoted only when it needs to be)."""
    import shlex

    if re.fullmatch(r"[\w./:\\-]+", text):
        return text
    return f'"{text}"' if sys.platform == "win32" else shlex.quote(text)


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
    on: Annotated[str, date_option("--date", help="The report's date.")],
    reaction: Annotated[
        str,
        typer.Option(
            "--reaction", metavar="TEXT", help="The reaction's reference (a Kamerstuk, a letter)."
        ),
    ],
    reaction_date: Annotated[str, date_option("--reaction-date", help="The reaction's date.")],
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
    day = parse_date(on, "--date") or date.min
    reacted = parse_date(reaction_date, "--reaction-date") or date.min
    if (label_nl is None) != (label_en is None):
        raise typer.BadParameter(
            "a reaction's label needs both languages: give --reaction-label-nl and "
            "--reaction-label-en, or neither",
            param_hint="'--reaction-label-nl' / '--reaction-label-en'",
        )
    from wrrtrack._model import Label

    label = Label(label_nl, label_en) if label_nl is not None and label_en is not None else None
    registry = registry_of(ctx, read=False)
    added = writing(
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
    path = written(registry)
    stored = registry.ledger.quote_source_of(added)
    _streams.say(
        f"added report {added.key} to {path}; the reaction's text is stored as "
        f"{registry.root / stored.file} (source '{stored.id}')"
    )


def add(
    ctx: typer.Context,
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The new recommendation's id.")],
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
    report: Annotated[
        str | None,
        report_option("The key of its advisory report (not needed when there is one)."),
    ] = None,
    status: Annotated[
        str,
        typer.Option("--status", "-s", metavar="KEY", help="The status it starts with."),
    ] = "open",
    on: Annotated[
        str | None, date_option("--date", "-d", help="Default the date of the reaction.")
    ] = None,
    by: ByOption = None,
    note: Annotated[
        str | None, typer.Option("--note", "-n", metavar="TEXT", help="A note.")
    ] = None,
    due: DueOption = None,
    review: ReviewOption = None,
) -> None:
    """Add recommendation ID to a report, with its first history entry.

    Every key must be one the report may use and every quote must be in the report's
    source text; otherwise nothing is written (exit code 1).

    Examples:

    $ wrrtrack add vsd-3 --report voorbeeldstad-wijk --title "Een extra wijkbudget" --theme wijkaanpak --stance afgewezen --actor college --quote "Het college ziet geen ruimte om een extra wijkbudget in te stellen" --status afgewezen --by "A. Jansen"
    """  # noqa: E501
    day = parse_date(on, "--date")
    deadline, review_on = parse_date(due, "--due"), parse_date(review, "--review")
    registry = registry_of(ctx, read=False)
    # An unknown key is a request the registry refuses (exit 1), as a duplicate id is.
    rec = writing(
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
            due=deadline,
            review=review_on,
        )
    )
    _streams.say(f"added {rec.id} to report {rec.report} ({rec.status}) in {written(registry)}")


def vocab_add(
    ctx: typer.Context,
    name: Annotated[
        VocabularyName,
        typer.Argument(
            metavar="VOCABULARY",
            help="actors, stances, statuses or themes (or actor, …).",
            click_type=vocabulary_choice(),
        ),
    ],
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
        report_option("Only for this report's recommendations."),
    ] = None,
    final: Annotated[
        bool,
        typer.Option(
            "--final", help="statuses: the status closes an item (never overdue or stale)."
        ),
    ] = False,
) -> None:
    """Add KEY to a vocabulary of the registry, or of one report with --report.

    A key or alias that another key already has is refused; a key means the same in every
    report that declares it.

    Examples:

    $ wrrtrack vocab add actors college --nl "college van B en W" --en "municipal executive"
    """
    registry = registry_of(ctx, read=False)
    term = writing(
        lambda: registry.add_term(
            name, key, nl=nl, en=en, aliases=alias or (), report=report, final=final
        )
    )
    path = written(registry)
    whose = f"report {registry.report_of(report).key}'s" if report else "the registry's"
    _streams.say(f"added {term.key} to {whose} {name} in {path}")
