"""A cold read of a large folder registry spread over the cores: its files read in worker
processes, a chunk of files each, then put together and checked across files here.

Reading a record depends on what the *other* files declare for the whole registry and on
their sources (`_parts`: a file's *share*). Those are small blocks at the top of a
document, so they are found first, in this process, without reading the files: the
`sources` block of every document and the `vocabularies` block of a document without a
report, cut from the text at its unindented lines and read on their own. Each worker then
reads its chunk after a context document of the other files' shares, as `_parts` reads
the files missing from the cache, and returns each file's part. Nothing is taken on
trust: every file's share as its full read found it must equal the one found first (else
a chunk was read in another context), every chunk must read without a problem, and the
checks across files must pass (`_parts.assemble`); whenever anything is wrong, or the
pool cannot start or a worker dies, the answer is None and the caller reads the folder in
full, in this process, which finds and places every problem. So the parse is the serial
one, byte for byte, or none.

Only where it pays: a folder of at least `MIN_BYTES` in at least two files, on a machine
with more than one core. Processes are forked on Linux and spawned elsewhere (the worker
imports what it needs). Imported only by a cold read of such a folder.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from wrrtrack import _parts
from wrrtrack._errors import RegistryInvalid
from wrrtrack._model import Ledger, Source
from wrrtrack._places import Parsed
from wrrtrack._vocabulary import Term, Vocabularies

Files = list[tuple[Path, bytes]]
# Below this many bytes in all, starting processes costs more than it saves.
MIN_BYTES = 4_000_000
# Chunks per worker: enough that a slow chunk does not leave the other cores idle, few
# enough that each chunk's context document is read only a few times.
CHUNKS_PER_WORKER = 4
# Processes at most (Windows takes no more than 61).
MAX_WORKERS = 32
# A chunk's bytes, at most (unless one file is larger): a worker holds the node trees of
# one chunk at a time, so memory grows with this (or the largest file), not the folder.
CHUNK_BYTES = 4_000_000
# The start of every line at the top level of a document: not indented, not a comment, not
# blank, not an item of a list at the top level (which belongs to the key above it).
# (After a line break: `^` with MULTILINE is ten times slower; the first line is added.)
_TOP = re.compile(rb"\n(?![ \t\r\n#]|-[ \t\r\n]|-\Z|\Z)")
_MARKER = re.compile(rb"(?:---|\.\.\.)(?:[ \t\r\n]|\Z)")
# A file's share as `_parts.share` gives it, and the same as declarations and sources.
Share = tuple[tuple[tuple[str, Term, str | None], ...], tuple[Source, ...]]


def workers() -> int:
    """How many processes to read with: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worth_it(files: Files, cores: int | None = None) -> bool:
    """Whether reading these files in processes pays: more than one core and one file,
    and `MIN_BYTES` or more."""
    if len(files) < 2 or (cores if cores is not None else workers()) < 2:
        return False
    return sum(len(data) for _, data in files) >= MIN_BYTES


def parts(folder: Path, files: Files, today: date) -> list[_parts.Part] | None:
    """Each file's part (its context not set) of the folder registry made of `files`, read in
    worker processes; None when that does not pay, cannot be done, or anything is wrong
    or could be (the caller then reads the folder in full)."""
    cores = workers()
    if not worth_it(files, cores):
        return None
    found = [_share_of(folder, path, data, today) for path, data in files]
    shares = [share for share in found if share is not None]
    if len(shares) < len(files):
        return None
    chunks = _chunks(files, cores * CHUNKS_PER_WORKER)
    tasks = []
    for chunk in chunks:
        inside = set(chunk)
        others = [share for i, share in enumerate(shares) if i not in inside]
        context = _parts.context_text(others) if any(a or b for a, b in others) else ""
        tasks.append((folder, [files[i] for i in chunk], context, today))
    results = _run(tasks, min(cores, len(tasks), MAX_WORKERS))
    if results is None:
        return None
    read: list[_parts.Part] = []
    for result in results:
        if result is None:
            return None
        read += [_unpacked(packed) for packed in result]
    for part, (declared, sources) in zip(read, shares, strict=True):
        if _parts._share(part) != _parts.share(declared, sources):
            return None  # read in another context than the full read's: read in full
    return read


def parse(folder: Path, files: Files, today: date) -> Parsed | None:
    """The parse of the folder registry made of `files` (see `parts`), or None."""
    found = parts(folder, files, today)
    return _parts.assemble(folder, found, today) if found is not None else None


# --- what the files declare for the whole registry ----------------------------------------


def _skeleton(data: bytes) -> bytes:
    """The blocks of a file that may declare something for the whole registry, as they
    stand: each document's `sources`, and the `vocabularies` of a document without a
    `report`; a document of them for each document that has any."""
    first = _TOP.match(b"\n" + data[:2]) is not None  # the first line, as if after one
    starts = [0] * first + [m.end() for m in _TOP.finditer(data)]
    documents: list[list[tuple[int, int]]] = [[]]  # each document's top-level blocks
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(data)
        if _MARKER.match(data, start):
            documents.append([])
        else:
            documents[-1].append((start, end))
    kept = []
    for blocks in documents:
        report = any(data.startswith(b"report:", start) for start, _ in blocks)
        wanted = (b"sources:",) if report else (b"sources:", b"vocabularies:")
        found = [data[start:end] for start, end in blocks if data.startswith(wanted, start)]
        if found:
            kept.append(
                b"".join(block if block.endswith(b"\n") else block + b"\n" for block in found)
            )
    return b"---\n".join(kept)


def _share_of(folder: Path, path: Path, data: bytes, today: date) -> Share | None:
    """What the file declares for the whole registry and its sources, from its skeleton;
    None when that cannot be read (the file is then read in full by the caller). Need not
    be right: it is checked against the file's full read."""
    if b"sources:" not in data and b"vocabularies:" not in data:
        return (), ()
    from wrrtrack._schema import read_files

    skeleton = _skeleton(data)
    if not skeleton:
        return (), ()
    try:
        text = skeleton.decode("utf-8")
    except UnicodeDecodeError:
        return None
    reading = read_files(folder, [(path, text)], today)
    if reading.problems:
        return None
    declared = tuple((section, term, report) for _, section, term, report in reading.declared)
    return declared, reading.sources


def _chunks(files: Files, count: int) -> list[list[int]]:
    """The files' indices in runs of about the same number of bytes, in order: `count`
    runs, or more of `CHUNK_BYTES` each."""
    total = sum(len(data) for _, data in files)
    size = min(CHUNK_BYTES, max(1, total // max(1, count)))
    chunks: list[list[int]] = [[]]
    filled = 0
    for i, (_, data) in enumerate(files):
        if chunks[-1] and filled + len(data) > size:
            chunks.append([])
            filled = 0
        chunks[-1].append(i)
        filled += len(data)
    return chunks


# --- the pool -------------------------------------------------------------------------------


def _run(tasks: list[Any], count: int) -> list[Any] | None:
    """Each task's result from `read_chunk` in `count` processes, in order; None when the
    pool cannot start or a worker fails (no sandbox, shared memory or fork refuses a
    parallel read: it is only quicker)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = multiprocessing.get_context(start_method())
        with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
            return list(pool.map(read_chunk, tasks))
    except Exception:  # noqa: BLE001 (any failure of the pool: the caller reads serially)
        return None


def start_method() -> str:
    """Fork where that is safe and quick (Linux, and no other thread: the workers have
    every module already); spawn elsewhere, as Python does on macOS and Windows, and while
    another thread runs (a terminal's spinner), whose locks a forked child would inherit
    held."""
    import sys
    import threading

    alone = threading.active_count() == 1
    return "fork" if sys.platform.startswith("linux") and alone else "spawn"


def read_chunk(task: tuple[Path, Files, str, date]) -> list[Any] | None:
    """The parts of a chunk of files read together after the context document (in a
    worker), packed to travel; None on any problem."""
    import gc

    from wrrtrack import _yamlfile
    from wrrtrack._schema import read_files

    folder, files, context, today = task
    texts = [(folder / _parts.CONTEXT_NAME, context)] if context else []
    try:
        texts += [(path, _yamlfile.decode(path, data)) for path, data in files]
    except RegistryInvalid:
        return None
    enabled = gc.isenabled()
    gc.disable()  # as `_reading.collector_paused` does for a read (which imports this)
    try:
        reading = read_files(folder, texts, today)
        if reading.parsed is None:
            return None
        where = {source: place.file.path.name for source, place in reading.source_places.items()}
        by_name = _parts.split(reading.parsed, where, reading.declared)
        return [_packed(by_name.get(path.name) or _parts._empty(path.name)) for path, _ in files]
    finally:
        if enabled:
            gc.enable()


def _packed(part: _parts.Part) -> tuple[Any, ...]:
    """A part without what does not travel between processes (a ledger's empty
    vocabularies and local terms)."""
    parsed = part.parsed
    ledger = parsed.ledger
    return (ledger.reports, ledger.recommendations, ledger.sources, *parsed[1:], part.declared)


def _unpacked(packed: tuple[Any, ...]) -> _parts.Part:
    reports, records, sources, layouts, places, blocks, documents, files, declared = packed
    ledger = Ledger(reports, Vocabularies(), records, sources)
    return _parts.Part(Parsed(ledger, layouts, places, blocks, documents, files), declared, "")
