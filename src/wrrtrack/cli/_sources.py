"""The command that stores a later document as evidence: sources add. It makes one library
call (`Registry.add_source`), records what it wrote, and says so on stderr."""

# No `from __future__ import annotations` here (see _options).

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from wrrtrack.cli import _streams
from wrrtrack.cli._app import registry_of, written
from wrrtrack.cli._options import date_option, parse_date, report_option, writing


def sources_add(
    ctx: typer.Context,
    identifier: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The new source's id (letters, digits, '.', '_', '-'); its text is stored "
            "as sources/ID.txt.",
        ),
    ],
    file: Annotated[
        str,
        typer.Option(
            "--file",
            metavar="FILE",
            help="The document's text (UTF-8, at most 20 MB); '-' reads it from standard input.",
        ),
    ],
    title: Annotated[str, typer.Option("--title", metavar="TEXT", help="The document's title.")],
    publisher: Annotated[
        str, typer.Option("--publisher", metavar="NAME", help="Who published the document.")
    ],
    on: Annotated[str, date_option("--date", help="The document's date.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            metavar="KEY",
            help="What the document is: kamerbrief, kamerstuk, nieuwsbericht, rapport, or any "
            "other word (collegebrief).",
        ),
    ],
    url: Annotated[
        str | None, typer.Option("--url", metavar="URL", help="Where the document is published.")
    ] = None,
    excerpt: Annotated[
        bool,
        typer.Option(
            "--excerpt",
            help="The text holds passages of the document, not the whole of it (every "
            "output then says so: its fingerprint proves the passages, not the page).",
        ),
    ] = False,
    report: Annotated[
        str | None,
        report_option(
            "The report whose document (or, in a folder registry, file) records the source; "
            "needed when the registry holds several."
        ),
    ] = None,
) -> None:
    """Store the text of document ID as a source, for history entries to cite and quote.

    The text is copied to sources/ID.txt beside the registry and its record, with the
    text's fingerprint, is appended to the report's list of sources; nothing else in the
    file changes. A history entry then cites it with 'status set' and --source ID, and
    quotes it with --quote.

    Examples:

    $ wrrtrack sources add vsd-voortgang-2025 --file ../docs/examples/voorbeeldstad-voortgang.txt --title "Voortgang wijkaanpak" --publisher "Gemeente Voorbeeldstad" --date 2025-09-15 --kind collegebrief --excerpt
    """  # noqa: E501
    day = parse_date(on, "--date")  # given: the option is required
    if file == "-":
        from wrrtrack._sources import SIZE_LIMIT

        if sys.stdin is None:  # started with standard input closed (`<&-`)
            from wrrtrack._errors import WrrtrackError

            raise WrrtrackError("standard input is closed; give the text with --file FILE")
        # One byte more than the limit, so that a larger text is refused, not cut short.
        text: bytes | None = sys.stdin.buffer.read(SIZE_LIMIT + 1)
        path = None
    else:
        text, path = None, Path(file)
    registry = registry_of(ctx, read=False)  # add_source reads it once, under its lock
    source = writing(
        lambda: registry.add_source(
            identifier,
            title=title,
            publisher=publisher,
            date=day or date.min,
            kind=kind,
            file=path,
            text=text,
            url=url,
            excerpt=excerpt,
            report=report,
        )
    )
    where = written(registry)
    what = "passages of the document are" if source.excerpt else "the document's text is"
    _streams.say(
        f"added source {source.id} to {where}; {what} stored as "
        f"{registry.root / source.file} (sha256 {(source.sha256 or '')[:12]}…)"
    )
