"""Reading a registry, file or folder, from its bytes to a checked parse, with the cache.

One way for every reader and writer: the bytes (of the file, or of each file of a folder
registry, `_folder`), their cache key, then the parse the cache holds for those very bytes
or a full read: decode (`_yamlfile`), then the schema (`_schema`) over one text or over
the texts of all the folder's files.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from wrrtrack import _cache, clock, storage
from wrrtrack._errors import Problem, RegistryInvalid, WrrtrackError

if TYPE_CHECKING:
    from wrrtrack._places import Parsed
    from wrrtrack._schema import Reading

Files = tuple[tuple[Path, bytes], ...]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a registry is read.

    Reading allocates millions of small objects and no reference cycles; the collector
    would re-scan the growing heap again and again, which made reading 10,000 records
    three times slower and worse than linear. It is restored (and catches up) afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def file_reading(path: Path, data: bytes, today: date) -> Reading:
    """Every problem in the registry file's bytes, or its parse; never raises for what the
    file holds."""
    from wrrtrack import _yamlfile
    from wrrtrack._schema import Reading, read_registry

    try:
        text = _yamlfile.decode(path, data)
    except RegistryInvalid as exc:
        return Reading(None, exc.problems, [])
    return read_registry(path, text, today)


def folder_reading(folder: Path, files: Files | list[tuple[Path, bytes]], today: date) -> Reading:
    """Every problem of the folder registry, or its parse; never raises for what it holds."""
    from wrrtrack import _yamlfile
    from wrrtrack._schema import Reading, read_files

    texts = []
    problems: list[Problem] = []
    for path, data in files:
        try:
            texts.append((path, _yamlfile.decode(path, data)))
        except RegistryInvalid as exc:
            problems += exc.problems
    if problems:
        return Reading(None, problems, [])
    return read_files(folder, texts, today)


class Bytes(NamedTuple):
    """A registry's bytes as read: one file's, or (`folder`) each file's of a folder."""

    data: bytes
    files: Files
    folder: bool

    def size(self) -> int:
        """How many bytes they are."""
        return sum(len(data) for _, data in self.files) if self.folder else len(self.data)

    def key(self) -> str:
        """Their cache key (a folder's: of the names and bytes of all its files)."""
        if self.folder:
            from wrrtrack import _folder

            return _folder.key(list(self.files))
        return _cache.key(self.data)

    def reading(self, path: Path, today: date) -> Reading:
        """Every problem in them, or their parse; never raises for what they hold."""
        if self.folder:
            return folder_reading(path, self.files, today)
        return file_reading(path, self.data, today)


def is_folder(path: Path) -> bool:
    """Whether `path` names a folder registry (see `_folder`) rather than a file."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def bytes_of(path: Path) -> Bytes:
    """The bytes of the registry file, or of each file of the folder registry."""
    if is_folder(path):
        from wrrtrack import _folder

        files = _folder.read(path)
        return Bytes(b"", tuple(files), folder=True)
    return Bytes(storage.read_bytes(path), (), folder=False)


Listing = list[tuple[Path, os.stat_result]]


def listing(path: Path) -> Listing | None:
    """The registry's files (its one file, or each file of the folder) with their status,
    before any is read; None when one cannot be looked at or is not a regular file (then
    `bytes_of` says why)."""
    import stat

    try:
        if is_folder(path):
            from wrrtrack import _folder

            found = [(file, file.lstat()) for file in _folder.names(path)]
        else:
            found = [(path, path.stat())]
    except (OSError, ValueError, WrrtrackError):
        return None
    if not all(stat.S_ISREG(info.st_mode) for _, info in found):
        return None
    return found


def _parse(path: Path, read: Bytes, today: date, keep: list[Reading] | None = None) -> Parsed:
    """The full parse (`keep`: where the whole `Reading` is put too; without it, a large
    folder's is read over the cores, `spread`)."""
    if keep is None:
        parsed = spread(path, read, today)
        if parsed is not None:
            return parsed
    reading = read.reading(path, today)
    if keep is not None:
        keep.append(reading)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    return reading.parsed


def spread(path: Path, read: Bytes, today: date) -> Parsed | None:
    """The parse of a large folder registry read in worker processes (`_parallel`), when
    that pays and it reads without a problem; else None (then read it in full)."""
    if not read.folder:
        return None
    from wrrtrack import _parallel

    if not _parallel.worth_it(list(read.files)):
        return None
    return _parallel.parse(path, list(read.files), today)


class Read(NamedTuple):
    """A registry as read: its bytes, their cache key (when the cache is in use), the parse."""

    read: Bytes
    digest: str | None
    parsed: Parsed


def still_valid(today: date | None, timezone: str) -> Callable[[date], bool]:
    """Whether what was cached with this newest date may answer now: while that date is
    not after `today` (None: today in `timezone`), so that the cache and a full parse
    give the same verdict."""
    if today:
        return lambda latest: latest <= today
    return lambda latest: clock.not_after_today(latest, timezone)


def cached(digest: str, path: Path, today: date | None, timezone: str) -> Parsed | None:
    """The cached parse of these bytes, while its newest date is not after `today` (see
    `still_valid`)."""
    return _cache.load(digest, path, still_valid(today, timezone))


def read(
    path: Path,
    today: date | None,
    use_cache: bool,
    timezone: str,
    *,
    found: Bytes | None = None,
    digest: str | None = None,
) -> Read:
    """The file's bytes (a folder registry: its files' bytes) and the parse, from the cache
    when these very bytes were parsed.

    `today` (None: today in `timezone`) limits the dates in the file. `found` and
    `digest`: the bytes and their key, when the caller has them already.
    """
    found = found or bytes_of(path)

    def parse() -> Parsed:
        return _parse(path, found, today or clock.today(timezone))

    with collector_paused():
        if not use_cache:
            return Read(found, None, parse())
        digest = digest or found.key()
        parsed = cached(digest, path, today, timezone)
    if parsed is None:
        with collector_paused():
            parsed = _parse_files(path, found, today, timezone) if found.folder else parse()
        _cache.store(digest, parsed)
    return Read(found, digest, parsed)


def _parse_files(folder: Path, found: Bytes, today: date | None, timezone: str) -> Parsed:
    """A folder registry's parse from the entries of its files where they hold (`_parts`):
    a change to one file re-parses that file only."""
    from wrrtrack import _parts

    day = today or clock.today(timezone)
    files = list(found.files)

    def spread() -> list[_parts.Part] | None:
        from wrrtrack import _parallel

        return _parallel.parts(folder, files, day) if _parallel.worth_it(files) else None

    return _parts.read(
        folder,
        files,
        day,
        still_valid(today, timezone),
        lambda: _full_reading(folder, found, day),
        spread=spread,
    )


def _full_reading(folder: Path, found: Bytes, day: date) -> Reading:
    keep: list[Reading] = []
    with contextlib.suppress(RegistryInvalid):
        _parse(folder, found, day, keep)
    return keep[0]
