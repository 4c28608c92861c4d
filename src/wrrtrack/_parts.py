"""A folder registry read file by file: each file's share of the parse cached on its own,
so that a change to one file re-parses that file only.

A file's entry (`_cache`, part `FILES`, keyed by the file's name and bytes) holds its
share of the parse (its documents, reports, records, sources, the places in it) and its
vocabulary declarations. Reading a record depends on more than its own file: on the
vocabularies declared for the whole registry and on the stored sources, wherever they
are. That is the entry's *context*, a hash of what the other files declare for the whole
registry and of their sources: an entry read in another context is not used.

The files whose entries are missing (or out of context) are read together, after a
*context document* (never on disk) that declares what the other files do; then the checks
across files (ids and report keys unique, sources unique, one meaning per vocabulary key)
run on the entries' small summaries. Whenever anything is wrong, or could be, the whole
folder is read as before: every problem is found and placed by the full read, so the
answer is the same as without a cache, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from wrrtrack import _cache, _folder
from wrrtrack._errors import RegistryInvalid
from wrrtrack._model import Ledger, Source
from wrrtrack._places import Parsed, block_path
from wrrtrack._vocabulary import Term, Vocabularies

Files = list[tuple[Path, bytes]]
# The name of the context document: starts with '.', so it is never a registry file.
CONTEXT_NAME = ".wrrtrack-context.yaml"


class Part(NamedTuple):
    """One file's share of a folder registry's parse.

    `parsed` has the file's documents numbered from 0, its reports, records and sources,
    and no vocabularies; `declared` its vocabulary declarations (section, term, report or
    None: for the whole registry), in order; `context` the context it was read in."""

    parsed: Parsed
    declared: tuple[tuple[str, Term, str | None], ...]
    context: str


def _document(block: str) -> tuple[int, str]:
    number, colon, rest = block.partition(":")
    return (int(number), rest) if colon else (0, block)


def split(parsed: Parsed, sources_in: dict[str, str], declared: Any) -> dict[str, Part]:
    """The parse of (some) files of a folder read together, as each file's `Part` (its
    context still unknown: ""). `sources_in` names each source's file; `declared` is
    `Reading.declared`."""
    ledger = parsed.ledger
    numbers: dict[str, list[int]] = {}
    for n, name in enumerate(parsed.files):
        numbers.setdefault(name, []).append(n)
    file_of_report = {parsed.documents[n]: parsed.files[n] for n in range(len(parsed.files))}
    reports: dict[str, list[Any]] = {name: [] for name in numbers}
    for report in ledger.reports:
        reports[file_of_report[report.key]].append(report)
    records: dict[str, list[Any]] = {name: [] for name in numbers}
    for record in ledger.recommendations:
        records[file_of_report[record.report]].append(record)
    sources: dict[str, list[Source]] = {name: [] for name in numbers}
    for source in ledger.sources:
        sources[sources_in[source.id]].append(source)
    places: dict[str, dict[tuple[str, int], Any]] = {name: {} for name in numbers}
    for key, quote in parsed.quote_places.items():
        places[quote.path.name][key] = quote
    blocks: dict[str, dict[str, Any]] = {name: {} for name in numbers}
    local = {name: {n: i for i, n in enumerate(ns)} for name, ns in numbers.items()}
    for block, place in parsed.blocks.items():
        number, path = _document(block)
        name = parsed.files[number]
        blocks[name][block_path(local[name][number], path)] = place
    declarations: dict[str, list[tuple[str, Term, str | None]]] = {name: [] for name in numbers}
    for name, section, term, report in declared:
        if name in declarations:
            declarations[name].append((section, term, report))
    parts = {}
    for name, ns in numbers.items():
        part = Parsed(
            Ledger(
                tuple(reports[name]), Vocabularies(), tuple(records[name]), tuple(sources[name])
            ),
            {record.id: parsed.layouts[record.id] for record in records[name]},
            places[name],
            blocks[name],
            tuple(parsed.documents[n] for n in ns),
            (name,) * len(ns),
        )
        parts[name] = Part(part, tuple(declarations[name]), "")
    return parts


def _share(part: Part) -> list[Any]:
    """What a file gives the context of the others: its declarations for the whole
    registry, and its sources."""
    return share(part.declared, part.parsed.ledger.sources)


def share(declared: Any, sources: tuple[Source, ...]) -> list[Any]:
    """The share (see `_share`) of a file with these declarations (section, term, report
    or None) and sources."""
    return [
        [[section, *term] for section, term, report in declared if report is None],
        [
            [*source[:4], source.date.isoformat() if source.date else None, *source[5:]]
            for source in sources
        ],
    ]


def contexts(parts: list[Part]) -> list[str]:
    """The context of each file: a hash of the shares of all the others."""
    shares = [(i, _share(part)) for i, part in enumerate(parts)]
    shares = [(i, share) for i, share in shares if share[0] or share[1]]

    def context(i: int) -> str:
        others = [share for j, share in shares if j != i]
        return _cache.key_of((json.dumps(others, ensure_ascii=False).encode("utf-8"),))

    return [context(i) for i in range(len(parts))]


def _context_text(parts: list[Part]) -> str:
    """The context document: what `parts` declare for the whole registry, their sources."""
    return context_text([(part.declared, part.parsed.ledger.sources) for part in parts])


def context_text(shares: list[tuple[Any, tuple[Source, ...]]]) -> str:
    """The context document of files with these declarations (section, term, report or
    None) and sources, in file order."""
    from wrrtrack._yamlfile import document_lines

    vocabularies: dict[str, dict[str, Term]] = {}
    sources: list[Source] = []
    for declared, declared_sources in shares:
        for section, term, report in declared:
            if report is None:
                vocabularies.setdefault(section, {})[term.key] = term
        sources += declared_sources
    lines = document_lines({"sources": sources, "vocabularies": vocabularies})
    return "\n".join(lines or ["{}"]) + "\n"


def assemble(folder: Path, parts: list[Part], today: date) -> Parsed | None:
    """The folder's parse from every file's part, after the checks across files; None
    when one of them fails (then a full read finds and places the problem)."""
    from wrrtrack._schema import merged_vocabularies

    declared = [entry for part in parts for entry in part.declared]
    merged = merged_vocabularies(declared, today)
    if merged is None:
        return None
    vocabularies, local = merged
    ids: set[str] = set()
    keys: set[str] = set()
    source_ids: set[str] = set()
    reports: list[Any] = []
    records: list[Any] = []
    sources: list[Source] = []
    layouts: dict[str, Any] = {}
    places: dict[tuple[str, int], Any] = {}
    blocks: dict[str, Any] = {}
    documents: list[str | None] = []
    files: list[str] = []
    for part in parts:
        parsed = part.parsed
        ledger = parsed.ledger
        for record in ledger.recommendations:
            folded = record.id.casefold()
            if folded in ids:
                return None
            ids.add(folded)
        for report in ledger.reports:
            if report.key.casefold() in keys:
                return None
            keys.add(report.key.casefold())
        for source in ledger.sources:
            if source.id in source_ids:
                return None
            source_ids.add(source.id)
        offset = len(documents)
        reports += ledger.reports
        records += ledger.recommendations
        sources += ledger.sources
        layouts.update(parsed.layouts)
        places.update(parsed.quote_places)
        for block, place in parsed.blocks.items():
            number, path = _document(block)
            blocks[block_path(offset + number, path)] = place
        documents += parsed.documents
        files += parsed.files
    ledger = Ledger(tuple(reports), vocabularies, tuple(records), tuple(sources), local)
    return Parsed(ledger, layouts, places, blocks, tuple(documents), tuple(files))


# --- entries -----------------------------------------------------------------------------


def _load(key: str, folder: Path, still_valid: Callable[[date], bool] | None) -> Part | None:
    body = _cache.load_body(key, _cache.FILES, still_valid)
    if body is None:
        return None
    try:
        parsed = _cache._decode(body, folder)
        declared = tuple(
            (section, Term(k, nl, en, tuple(aliases)), report)
            for section, k, nl, en, aliases, report in body["declared"]
        )
        return Part(parsed, declared, str(body["context"]))
    except Exception:  # noqa: BLE001 (an entry that does not decode is absent)
        return None


def _store(key: str, part: Part) -> None:
    body = _cache._encode(part.parsed)
    latest = body.pop("latest")
    del body["vocabularies"], body["local"]
    body["vocabularies"] = {section: [] for section in ("themes", "actors", "stances", "statuses")}
    body["local"] = {}
    body["declared"] = [
        [section, term.key, term.nl, term.en, list(term.aliases), report]
        for section, term, report in part.declared
    ]
    body["context"] = part.context
    _cache.store_body(key, _cache.FILES, body, latest)


def read(
    folder: Path,
    files: Files,
    today: date,
    still_valid: Callable[[date], bool] | None,
    full: Callable[[], Any],
    *,
    spread: Callable[[], list[Part] | None] = lambda: None,
) -> Parsed:
    """The parse of the folder registry made of `files`, from each file's entry where it
    has one that holds, reading only the others; `full()` is the full read (a `Reading`
    of every file), used when nothing is cached or anything is wrong; `spread()` every
    file's part read over the cores (`_parallel`), tried first when nothing is cached."""
    keys = [_folder.file_key(path, data) for path, data in files]
    found = [_load(key, folder, still_valid) for key in keys]
    if not any(found):
        return _spread(folder, keys, today, spread) or _from_full(folder, files, keys, full)
    missing = [i for i, part in enumerate(found) if part is None]
    parts: list[Part | None] = list(found)
    if missing:
        read_now = _read_some(folder, files, found, missing, today)
        if read_now is None:
            return _from_full(folder, files, keys, full)
        for i, part in zip(missing, read_now, strict=True):
            parts[i] = part
    complete = [part for part in parts if part is not None]
    wanted = contexts(complete)
    for i, part in enumerate(complete):
        if part.context and part.context != wanted[i]:
            return _from_full(folder, files, keys, full)
    parsed = assemble(folder, complete, today)
    if parsed is None:
        return _from_full(folder, files, keys, full)
    for i in missing:
        _store(keys[i], complete[i]._replace(context=wanted[i]))
    return parsed


def _read_some(
    folder: Path,
    files: Files,
    found: list[Part | None],
    missing: list[int],
    today: date,
) -> list[Part] | None:
    """The parts of the `missing` files, read together after the context document of the
    parts `found`; None on any problem."""
    from wrrtrack import _yamlfile
    from wrrtrack._schema import read_files

    texts = [(folder / CONTEXT_NAME, _context_text([p for p in found if p is not None]))]
    try:
        texts += [(files[i][0], _yamlfile.decode(files[i][0], files[i][1])) for i in missing]
    except RegistryInvalid:
        return None
    reading = read_files(folder, texts, today)
    if reading.parsed is None:
        return None
    where = {source: place.file.path.name for source, place in reading.source_places.items()}
    parts = split(reading.parsed, where, reading.declared)
    return [parts.get(files[i][0].name) or _empty(files[i][0].name) for i in missing]


def _empty(name: str) -> Part:
    del name
    return Part(Parsed(Ledger((), Vocabularies(), ()), {}, {}, {}, (), ()), (), "")


def _spread(
    folder: Path, keys: list[str], today: date, spread: Callable[[], list[Part] | None]
) -> Parsed | None:
    """The parse from every file's part read over the cores, remembered file by file; None
    when there are none, or the checks across files fail (then the full read)."""
    parts = spread()
    parsed = assemble(folder, parts, today) if parts is not None else None
    if parts is None or parsed is None:
        return None
    for key, part, context in zip(keys, parts, contexts(parts), strict=True):
        _store(key, part._replace(context=context))
    return parsed


def _from_full(folder: Path, files: Files, keys: list[str], full: Callable[[], Any]) -> Parsed:
    """The full read, remembered file by file."""
    reading = full()
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    parsed: Parsed = reading.parsed
    where = {source: place.file.path.name for source, place in reading.source_places.items()}
    by_name = split(parsed, where, reading.declared)
    parts = [by_name.get(path.name) or _empty(path.name) for path, _ in files]
    for key, part, context in zip(keys, parts, contexts(parts), strict=True):
        _store(key, part._replace(context=context))
    del folder
    return parsed
