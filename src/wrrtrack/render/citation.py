"""How every output says where a quote comes from: one wording, in Dutch and English.

A quote is attributed to the document it was checked against, as that document is: the
WRR's summary of a reaction is named as such, never as the reaction itself.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from wrrtrack._model import Reaction, Source
from wrrtrack._vocabulary import SOURCE_KINDS, Language

_MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

TEXT: dict[Language, dict[str, str]] = {
    "nl": {
        "quoted_from": "Geciteerd uit",
        "of_reaction": "van de reactie",
        "the": "de",
        "text": "tekst",
        "not_itself": "niet uit de tekst van {reference} zelf",
        "stored_file": "het opgeslagen bestand {file}",
        "page": "publicatiepagina",
        "excerpt": "fragmenten",
    },
    "en": {
        "quoted_from": "Quoted from",
        "of_reaction": "of the reaction",
        "the": "the",
        "text": "text",
        "not_itself": "not from the text of {reference} itself",
        "stored_file": "the stored file {file}",
        "page": "publication page",
        "excerpt": "excerpt",
    },
}


def long_date(day: date, lang: Language) -> str:
    """26 March 2021, 26 maart 2021."""
    return f"{day.day} {_MONTHS[lang][day.month - 1]} {day.year}"


def site(url: str | None) -> str | None:
    """The web site a URL is on, as people say it: www.wrr.nl/… is wrr.nl."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def kind_label(kind: str | None, lang: Language) -> str | None:
    if kind is None:
        return None
    return SOURCE_KINDS.label(kind, lang) if kind in SOURCE_KINDS else kind


def where_when(source: Source, lang: Language) -> str:
    """What kind of document, on which site, from when: 'summary, wrr.nl, 26 March 2021'."""
    parts = [
        kind_label(source.kind, lang),
        site(source.url),
        long_date(source.date, lang) if source.date else None,
    ]
    return ", ".join(part for part in parts if part)


def cite(source: Source, lang: Language) -> str:
    """One line naming a source: publisher, “title” (kind, site, date).

    A source known only by its stored file (a registry without source records) is named
    by that file, and nothing more is claimed.
    """
    if source.title is None:
        return TEXT[lang]["stored_file"].format(file=source.file)
    named = f"{source.publisher}, “{source.title}”" if source.publisher else f"“{source.title}”"
    detail = marked(where_when(source, lang), source, lang)
    return f"{named} ({detail})" if detail else named


def marked(detail: str, source: Source, lang: Language) -> str:
    """`detail` (kind, site, date), followed by 'excerpt' when the stored text holds only
    passages of the document: what its fingerprint proves is those passages, not the page."""
    if not source.excerpt:
        return detail
    word = TEXT[lang]["excerpt"]
    return f"{detail}; {word}" if detail else word


def is_the_reaction(source: Source, reaction: Reaction) -> bool:
    """Whether the stored text is the reaction itself rather than someone's account of it:
    published at the reaction's address, or bearing its reference and date as its title
    and date (as `reports add` records the reaction's own text)."""
    if source.url and source.url == reaction.url:
        return True
    return source.title == reaction.reference and source.date == reaction.date


def quoted_from(source: Source, reaction: Reaction, lang: Language) -> str:
    """The sentence above a recommendation's quotes, e.g. 'Quoted from the WRR summary of
    the reaction (wrr.nl, 26 March 2021), not from the text of Kamerstuk 29 861, nr. 70'."""
    t = TEXT[lang]
    if source.title is None:
        return f"{t['quoted_from']} {cite(source, lang)}"
    detail = ", ".join(
        part
        for part in (site(source.url), long_date(source.date, lang) if source.date else None)
        if part
    )
    detail = marked(detail, source, lang)
    detail = f" ({detail})" if detail else ""
    if is_the_reaction(source, reaction):
        return f"{t['quoted_from']} {reaction.reference}{detail}"
    what = kind_label(source.kind, lang) or t["text"]
    by = f"{source.publisher} " if source.publisher else ""
    return (
        f"{t['quoted_from']} {t['the']} {by}{what} {t['of_reaction']}{detail}, "
        f"{t['not_itself'].format(reference=reaction.reference)}"
    )
