"""Quotes as evidence: each checked against the stored source it names, each source against
its fingerprint; the one policy for `validate` and for every writer that takes a quote.

How a quote is found in a text is `_quotes`'; how a stored source is read safely and
fingerprinted is `_sources`'. Imported only when quotes or sources are checked.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from wrrtrack import _sources, storage
from wrrtrack._errors import EvidenceRefused, InvalidChange, Problem, SourceRefused
from wrrtrack._model import Ledger, Source
from wrrtrack._places import Parsed, SourcePlace
from wrrtrack._quotes import MIN_WORDS, Quoted, SourceText, too_short
from wrrtrack._sources import SIZE_LIMIT


def quotes_of(parsed: Parsed) -> list[Quoted]:
    """Every quote of a parsed registry with its place: the report's context, then records."""
    places = parsed.quote_places
    return [quote._replace(place=places.get(quote.key)) for quote in parsed.ledger.quoted()]


class Evidence(NamedTuple):
    """What checking a registry's evidence found (see `evidence`)."""

    problems: list[Problem]
    source: Path | None  # the file the recommendations' quotes are checked against
    sources: int  # stored sources checked


def evidence(
    root: Path,
    sources: tuple[Source, ...],
    reactions: Sequence[str],
    quoted: list[Quoted],
    places: dict[str, SourcePlace],
) -> Evidence:
    """Each stored source read safely and held to its fingerprint (each once, however many
    reports cite it), and each quote looked up in the source it names. A report written
    before sources were records names a file as its reaction's source: that file is then
    a source of its own, with no fingerprint."""
    stored = {source.id for source in sources}
    listed = list(sources)
    listed += [Source(r, r) for r in dict.fromkeys(reactions) if r not in stored]
    texts: dict[str, SourceText] = {}
    problems: list[Problem] = []
    for source in listed:
        recorded = source.id in stored
        text, trouble = checked_text(root, source, places.get(source.id), recorded)
        problems += trouble
        if text is not None:
            texts[source.id] = text
    for quote in quoted:
        text = texts.get(quote.source or "")
        if text is None:
            continue  # a source that cannot be read is one problem, not one per quote
        name = Path(quote.source or "").name if quote.source not in stored else None
        problem = quote_problem(text, quote, name or f"source '{quote.source}'")
        if problem is not None:
            problems.append(problem)
    main = next((s for s in listed if reactions and s.id == reactions[0]), None)
    return Evidence(problems, root / main.file if main else None, len(sources))


def checked_text(
    root: Path, source: Source, place: SourcePlace | None, recorded: bool
) -> tuple[SourceText | None, list[Problem]]:
    """The source's text, if it may be read; and what is wrong with it: missing, refused
    (nothing is read from such a path, and nothing of it is shown), or changed since its
    fingerprint was recorded (the text is still returned, to check its quotes)."""
    where = f"sources.{source.id}" if recorded else "report.reaction.source"
    named = f"source '{source.id}' ({source.file})" if recorded else f"source text {source.file}"
    file_place = place.file if place else None
    file_field = f"{where}.file" if recorded else where
    try:
        data = _sources.read_bytes(root, source.file)
        text = SourceText(_sources.decoded(source.file, data))
    except FileNotFoundError:
        message = f"{named} is missing: no such file in the registry's folder"
        return None, [Problem(file_place, message, None, file_field)]
    except SourceRefused as exc:
        message = f"{named}: {exc.reason}; nothing was read from it"
        return None, [Problem(file_place, message, None, file_field)]
    if source.sha256 is not None and _sources.fingerprint(data) != source.sha256:
        message = (
            f"{named} has changed since its fingerprint was recorded (sha256 "
            f"{source.sha256[:12]}…, now {_sources.fingerprint(data)[:12]}…); check its "
            f"quotes, then run 'wrrtrack sources update {source.id}'"
        )
        return text, [Problem(place.sha256 if place else None, message, None, f"{where}.sha256")]
    return text, []


def known_source(ledger: Ledger, identifier: str) -> Source:
    """The stored source `identifier`; `InvalidChange` suggests the nearest id if none."""
    source = ledger.source(identifier)
    if source is None:
        import difflib  # only on the way to an error message

        ids = [s.id for s in ledger.sources]
        close = difflib.get_close_matches(identifier, ids, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise InvalidChange(
            f"'{{source}}' is not a stored source; {{hint}}ids: {', '.join(ids) or 'none'} "
            "(a document's text is stored with 'wrrtrack sources add ID --file FILE')",
            "source",
            source=identifier,
            hint=hint,
        )
    return source


def source_bytes(root: Path, source: Source) -> bytes:
    """The stored text of `source`, read safely, or a message why it cannot be."""
    try:
        return _sources.read_bytes(root, source.file)
    except FileNotFoundError:
        raise InvalidChange(
            f"source '{source.id}': {source.file} is missing in the registry's folder"
        ) from None
    except SourceRefused as exc:
        raise InvalidChange(f"source '{source.id}' ({source.file}): {exc.reason}") from None


def quote_problem(text: SourceText, quote: Quoted, where: str) -> Problem | None:
    """What is wrong with `quote` as evidence from `text` (`where` names that source): too
    short to prove anything (one word is found in almost any text), or not in it. One rule
    for `validate` and for every writer that takes a quote."""
    words = len(quote.text.split())
    if too_short(quote.text):
        message = (
            f"{quote.label} is {words} word{'s' if words != 1 else ''}: too short to be "
            f"evidence; quote at least {MIN_WORDS} words of {where}"
        )
    elif text.contains(quote.text):
        return None
    else:
        message = f"{quote.label} is not in {where}; {text.missing(quote.text)}"
    return Problem(quote.place, message, quote.owner or None, quote.field)


# The part of the cache holding source texts as quotes are compared with them (folded):
# a writer checking a quote against a source of megabytes does not fold it again.
FOLDED = "folded"


def folded_source(name: str, data: bytes, *, cache: bool = False) -> SourceText:
    """The source text of `data` (the file `name`), folded for quotes; with `cache`, as the
    cache holds it for these very bytes (else folded, and kept there)."""
    text = _sources.decoded(name, data)
    if not cache:
        return SourceText(text)
    from wrrtrack import _cache

    key = _cache.key(data)
    state = _cache.load_body(key, FOLDED)
    if state is not None:
        try:
            return SourceText(text, state)
        except (KeyError, TypeError, ValueError):
            pass  # not as written: fold it again
    found = SourceText(text)
    _cache.store_body(key, FOLDED, found.state(), "0001-01-01")
    return found


def missing_quotes(
    data: bytes, source: Source, quoted: Sequence[Quoted], *, cache: bool = False
) -> list[Problem]:
    """A placed problem for each quote not in `data`, with the nearest passage marked
    (`cache`: see `source_text`)."""
    text = folded_source(source.file, data, cache=cache)
    found = (quote_problem(text, quote, f"source '{source.id}'") for quote in quoted)
    return [problem for problem in found if problem is not None]


def check_quotes(
    root: Path, source: Source, identifier: str, quotes: Sequence[str], *, cache: bool = False
) -> None:
    """Refuse stance quotes for a new recommendation that its report's source does not
    hold (each shown with the nearest passage); `cache`: see `folded_source`."""
    quoted = [Quoted(identifier, i, q, None, source.id) for i, q in enumerate(quotes)]
    refuse_missing(root, source, quoted, ("quotes", "quote(s) not found"), cache=cache)


def check_new_quotes(
    root: Path,
    ledger: Ledger,
    identifier: str,
    source: str | None,
    quotes: Sequence[str],
    *,
    cache: bool = False,
) -> None:
    """Refuse quotes for a new history entry that its stored source does not hold
    (`cache`: see `folded_source`)."""
    found = known_source(ledger, source or "")
    rec = ledger.get(identifier)
    entry = len(rec.history)
    quoted = [Quoted(rec.id, i, q, None, found.id, entry) for i, q in enumerate(quotes)]
    refuse_missing(root, found, quoted, ("source", f"quote(s) not in '{found.id}'"), cache=cache)


def refuse_missing(
    root: Path,
    source: Source,
    quoted: list[Quoted],
    said: tuple[str, str],
    *,
    cache: bool = False,
) -> None:
    """Refuse new quotes that `source` does not hold, or a source that changed since its
    fingerprint was recorded (`said`: the argument the message names, and what it says
    of the quotes; `cache`: see `folded_source`)."""
    field, what = said
    data = source_bytes(root, source)
    if source.sha256 is not None and _sources.fingerprint(data) != source.sha256:
        raise InvalidChange(
            f"source '{source.id}' ({{file}}) has changed since its fingerprint was "
            "recorded, so a quote cannot be checked against it; run 'wrrtrack validate'",
            field,
            file=source.file,
        )
    broken = missing_quotes(data, source, quoted, cache=cache)
    if broken:
        if any(too_short(q.text) for q in quoted):
            what = "quote(s) refused"  # not (only) missing: some are too short to count
        raise EvidenceRefused(broken, f"{len(broken)} {what}; nothing was written")


def source_text(path: Path, field: str = "source_file") -> bytes:
    """The bytes of a text to store as a source: a regular file of UTF-8 text (`field`
    names the argument that gave `path`, for messages)."""
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:
        why = storage.reason(exc) if isinstance(exc, OSError) else "a NUL in the path"
        raise InvalidChange(f"{{path}}: cannot read: {why}", field, path=str(path)) from None
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block, /dev/zero never ends
        raise InvalidChange(
            f"{{path}} is {storage.file_kind(info.st_mode)}, not a file of text",
            field,
            path=str(path),
        )
    # Every later read of a stored source refuses a larger file: storing one would leave a
    # registry that no longer validates.
    if info.st_size > SIZE_LIMIT:
        raise InvalidChange(
            f"{{path}} is {info.st_size:,} bytes, over the limit of {SIZE_LIMIT:,} for a stored "
            "text",
            field,
            path=str(path),
        )
    data = storage.read_bytes(path, limit=SIZE_LIMIT)  # refuses a file that grew meanwhile
    return storable_text(str(path), data, field)


def storable_text(name: str, data: bytes, field: str) -> bytes:
    """`data` (read from `name`: a file, or standard input) if it may be stored as a
    source's text: at most `SIZE_LIMIT` bytes of UTF-8 text, not empty."""
    if len(data) > SIZE_LIMIT:
        raise InvalidChange(
            f"{{path}} is over the limit of {SIZE_LIMIT:,} bytes for a stored text",
            field,
            path=name,
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidChange(
            f"{{path}} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8",
            field,
            path=name,
        ) from None
    if not data.strip():
        raise InvalidChange("{path} is empty", field, path=name)
    return data
