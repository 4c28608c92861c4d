"""A cache of parsed registries, so that reading a large registry costs a JSON load.

The YAML file stays the only source of truth. An entry is keyed by a hash (BLAKE2b) of the
file's bytes, and holds wrrtrack's version and a fingerprint of wrrtrack's own code (the
name, size and modification time of each of its modules, as Python's own bytecode cache
checks them): an entry written by other code, even a changed label in an editable install,
is never believed. It is only ever written for a registry that read without problems; an
entry that is stale, corrupt, from other code or otherwise not what we wrote is ignored
(and replaced), never an error. Where the cache lives:
$WRRTRACK_CACHE_DIR, else $XDG_CACHE_HOME/wrrtrack, else ~/.cache/wrrtrack.

The directory may be shared with other files: housekeeping removes only files that are
ours by name *and* content. The command line holds back every cache write (`hold`) until
the command has succeeded, so that a failing command changes no byte, cache included.

What is in the directory is checked, never believed:

- The directory is used (read or written) only when it belongs to the current user and
  no one else can write to it (as ssh and git trust only such directories): whoever can
  write there could put in an entry that is complete and consistent and says anything.
  On Windows, where files have no POSIX owner, this check is not made; the default
  directory lies in the user's own profile, and $WRRTRACK_CACHE_DIR should not name a
  folder others can write to.
- An entry is opened without following a symbolic link and without waiting on a FIFO,
  must then be a regular file, and is read only up to `limit(size)`: four times the
  registry's bytes plus 1 MiB (an entry is about as large as its registry; a larger one
  is never written).
- An entry starts with a line that names the exact bytes it answers for (their keyed hash
  and their size), the format, wrrtrack's version and the code's fingerprint, and a hash
  of the rest (the payload) keyed by the registry's hash; anything that does not match is
  treated as absent and replaced. These checks catch corruption and mismatches; they
  cannot stop a forger who can write the directory (who can compute them too), which is
  why the directory itself must be private.

Anything else under an entry's name (a link, a FIFO, a file too large) or a directory that
is not private is ignored with one warning on stderr per directory and process.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from wrrtrack import __version__
from wrrtrack._errors import Location
from wrrtrack._model import (
    AdviceReport,
    Label,
    Ledger,
    Reaction,
    Recommendation,
    Source,
    StatusChange,
)
from wrrtrack._places import BlockPlace, Parsed, layout_from_values, layout_values
from wrrtrack._vocabulary import Term, Vocabularies, Vocabulary

ENV_VAR = "WRRTRACK_CACHE_DIR"
FORMAT = 8  # 2: newest date ("latest"); 3: the code and blocks; 4: sources; 5: reports;
# 6: folder registries (the file of each document and of each quote's place); 7: a header
# line with the registry's size and the payload's hash; 8: a source's `excerpt`
KEEP = 8  # entries kept; older ones are removed when a new one is written
FILES = "files"  # the part of the cache holding one entry per file of a folder registry
KEEP_FILES = 20_000  # entries of files kept (a few registries of a thousand files each)
STALE = 600  # seconds after which a temporary file in the cache is a dead writer's
_SECTIONS = {"themes": "theme", "actors": "actor", "stances": "stance", "statuses": "status"}


# What our files look like: an entry is named by its key and starts with that key; a
# temporary file is an entry's name with storage's mark, a pid and a random part. Patterns,
# not compiled ones: `re` compiles them when housekeeping first needs them, not at start-up.
_ENTRY_NAME = r"([0-9a-f]{64})\.json"
_TEMPORARY_NAME = r"\.([0-9a-f]{64})\.json\.wrrtrack-tmp-\d+-[0-9a-f]{8}"
_ENTRY_HEAD = rb'\{"format": \d+, "version": "[^"\\]*", "key": "([0-9a-f]{64})"'

# The size of the bytes each key of this process was made of: an entry's size limit, and
# what its header must say (the key alone is a hash and does not tell).
_sizes: dict[str, int] = {}
# Directories already warned about in this process (one warning each).
_warned: set[str] = set()
# Parts of the cache already pruned in this process (see `_store_body`).
_pruned: set[str] = set()

# Opening an entry: never through a link, never waiting for a FIFO's writer.
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def limit(size: int) -> int:
    """The most bytes an entry for a registry of `size` bytes may have."""
    return 4 * size + (1 << 20)


# Writes held back until the command has succeeded (see `hold`); None: write at once.
_pending: list[Callable[[], None]] | None = None


def directory() -> Path | None:
    """Where entries live; None when there is no place for them (no HOME, no setting)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
            return None
    return Path(base) / "wrrtrack"


def hold() -> None:
    """Hold back cache writes from now on, until `release` (the command line's way of
    making sure that a command that fails writes nothing, cache included)."""
    global _pending  # noqa: PLW0603 (one command per process: the hold is process-wide)
    if _pending is None:
        _pending = []


def release(*, commit: bool) -> None:
    """Do the held-back writes (`commit`) or drop them, and stop holding."""
    global _pending
    held, _pending = _pending or [], None
    for action in held if commit else ():
        with contextlib.suppress(Exception):  # a cache is never worth an error
            action()


def _later(action: Callable[[], None]) -> None:
    if _pending is None:
        with contextlib.suppress(Exception):
            action()
    else:
        _pending.append(action)


try:
    # The built-in BLAKE2 module: as fast as OpenSSL's SHA-256 on large files, but without
    # loading OpenSSL, which would add 2 ms to the start-up of every command.
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b


def key(data: bytes) -> str:
    """The hash an entry is filed under: of these bytes, as this code reads them.

    The code's fingerprint keys the hash, so that two installations of different versions
    sharing one cache folder each keep their own entries instead of replacing each other's.
    """
    return key_of((data,))


def key_of(parts: Iterable[bytes], size: int | None = None) -> str:
    """The `key` of `parts` one after another (a folder registry's names and keys); `size`:
    the registry's bytes they stand for (else theirs), which limits its entry's size."""
    digest = blake2b(digest_size=32, key=bytes.fromhex(code_fingerprint()))
    total = 0
    for part in parts:
        digest.update(part)
        total += len(part)
    hexdigest: str = digest.hexdigest()
    _sizes[hexdigest] = total if size is None else size
    return hexdigest


def _check(digest: str, payload: bytes | memoryview) -> str:
    """The hash of an entry's payload, keyed by the key of the bytes it answers for."""
    return str(blake2b(payload, digest_size=32, key=bytes.fromhex(digest)).hexdigest())


_fingerprint: str | None = None


def code_fingerprint() -> str:
    """A hash of the name, size and modification time of each of wrrtrack's modules.

    Computed once per process from one directory listing: a few dozen `stat` calls.
    """
    global _fingerprint  # noqa: PLW0603 (computed once, on first use)
    if _fingerprint is None:
        with os.scandir(Path(__file__).parent) as entries:
            stats = sorted(
                f"{entry.name}:{info.st_size}:{info.st_mtime_ns}"
                for entry in entries
                if entry.name.endswith(".py") and (info := entry.stat())
            )
        _fingerprint = blake2b("\n".join(stats).encode(), digest_size=16).hexdigest()
    return _fingerprint


def _warn(folder: Path, message: str) -> None:
    """One `warning:` line on stderr for `folder`, the first time only."""
    if str(folder) in _warned:
        return
    _warned.add(str(folder))
    import sys

    from wrrtrack.render import visible

    with contextlib.suppress(Exception):  # a cache is never worth an error
        sys.stderr.write(f"warning: {visible(message)}\n")
        sys.stderr.flush()


def _private(folder: Path, info: os.stat_result) -> bool:
    """Whether the directory (`info`: its status) is the user's alone; warns if not."""
    if not hasattr(os, "getuid"):  # Windows: no POSIX owner to check (see above)
        return True
    if info.st_uid != os.getuid():
        _warn(
            folder,
            f"the cache directory {folder} belongs to another user (uid {info.st_uid}); its "
            f"entries are not used (set {ENV_VAR} to a directory of your own, "
            "or pass --no-cache)",
        )
        return False
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        _warn(
            folder,
            f"the cache directory {folder} can be written by other users; its entries are "
            f"not used (make it yours alone: chmod go-w {folder}; or set {ENV_VAR} to a "
            "directory of your own)",
        )
        return False
    return True


def _read_entry(folder: Path, name: str, most: int) -> bytes | None:
    """The bytes of the entry `name` of `folder`, or None when it is absent or not one
    we may read (see the module's docstring; warns of what is not an entry)."""
    at = os.open in os.supports_dir_fd
    try:
        directory_fd = os.open(folder, _DIRECTORY_FLAGS) if at else None
    except OSError:
        return None  # no directory yet, or not one: nothing is cached there
    try:
        info = folder.stat() if directory_fd is None else os.fstat(directory_fd)
        if not _private(folder, info):
            return None
        place: str | Path = name if directory_fd is not None else folder / name
        try:
            if directory_fd is None and Path(place).is_symlink():  # no O_NOFOLLOW
                raise OSError(errno.ELOOP, "a symbolic link")
            fd = os.open(place, _FLAGS, dir_fd=directory_fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):  # EMLINK: FreeBSD's O_NOFOLLOW
                _not_an_entry(folder, name, "is a symbolic link")
            return None
        try:
            entry = os.fstat(fd)
            if not stat.S_ISREG(entry.st_mode):
                from wrrtrack.storage import file_kind

                _not_an_entry(folder, name, f"is {file_kind(entry.st_mode)}")
                return None
            if entry.st_size > most:
                _not_an_entry(
                    folder, name, f"has {entry.st_size:,} bytes, more than an entry can have"
                )
                return None
            chunks = []
            want, total = entry.st_size + 1, 0  # a regular file's size: one read, one copy
            while total <= most and (chunk := os.read(fd, min(want, most + 1 - total))):
                chunks.append(chunk)
                total += len(chunk)
                want = 1 << 16
            if total > most:
                return None  # it grew past the limit while read: not read further
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            os.close(fd)
    except OSError:
        return None
    finally:
        if directory_fd is not None:
            os.close(directory_fd)


def _not_an_entry(folder: Path, name: str, what: str) -> None:
    _warn(
        folder,
        f"the cache directory {folder}: {name} {what}, not an entry wrrtrack wrote; it is "
        f"not used (remove it: rm {folder / name}; or pass --no-cache)",
    )


def _entry(digest: str, kind: str = "") -> Path | None:
    folder = directory()
    if folder is None:
        return None
    return (folder / kind if kind else folder) / f"{digest}.json"


def load(
    digest: str, path: Path, still_valid: Callable[[date], bool] | None = None
) -> Parsed | None:
    """The parse stored for these bytes, or None when there is no entry we can trust.

    `still_valid(latest)` is asked about the newest date in the registry: an entry made
    when that date was not yet in the future may not answer for a clock or time zone
    under which it is (the full parse then gives the same verdict as without a cache).
    """
    try:
        body = load_body(digest, "", still_valid)
        return None if body is None else _decode(body, path)
    except Exception:  # noqa: BLE001 (any unreadable entry just means: parse the file)
        return None


def load_body(
    digest: str, kind: str, still_valid: Callable[[date], bool] | None = None
) -> dict[str, Any] | None:
    """The payload of the entry for these bytes in the part `kind` of the cache ("": whole
    registries; `FILES`: one file of a folder registry each), or None (see `load`)."""
    try:
        size = _sizes.get(digest)
        top = directory()
        if size is None or top is None:
            return None
        folder = top / kind if kind else top
        if kind and not _private_directory(top):
            return None
        data = _read_entry(folder, f"{digest}.json", limit(size))
        if data is None:
            return None
        end = data.index(b"\n")
        header = json.loads(data[:end])
        payload = memoryview(data)[end + 1 :]  # hashed and decoded where it lies, not copied
        if (
            header.get("format") != FORMAT
            or header.get("version") != __version__
            or header.get("key") != digest
            or header.get("code") != code_fingerprint()
            or header.get("size") != size
            or header.get("check") != _check(digest, payload)
        ):
            return None
        if still_valid is not None and not still_valid(date.fromisoformat(header["latest"])):
            return None
        text = str(payload, "utf-8")
        del payload, data
        body: dict[str, Any] = json.loads(text)
        return body
    except Exception:  # noqa: BLE001 (any unreadable entry just means: parse the file)
        return None


def _private_directory(folder: Path) -> bool:
    try:
        return _private(folder, folder.stat())
    except OSError:
        return False


def store(digest: str, parsed: Parsed) -> None:
    """Write the entry for these bytes; a cache that cannot be written is no error."""
    _later(lambda: _store(digest, parsed))


def _store(digest: str, parsed: Parsed) -> None:
    body = _encode(parsed)
    latest = body.pop("latest")
    _store_body(digest, "", body, latest)


def store_body(digest: str, kind: str, body: dict[str, Any], latest: str) -> None:
    """Write the entry for these bytes in the part `kind` of the cache (see `load_body`)."""
    _later(lambda: _store_body(digest, kind, body, latest))


def _store_body(digest: str, kind: str, body: dict[str, Any], latest: str) -> None:
    from wrrtrack.storage import atomic_write

    entry = _entry(digest, kind)
    size = _sizes.get(digest)
    if entry is None or size is None:
        return
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    # "key" stays the third field: housekeeping recognises our entries by their start.
    header = {
        "format": FORMAT,
        "version": __version__,
        "key": digest,
        "code": code_fingerprint(),
        "size": size,
        "latest": latest,
        "check": _check(digest, payload),
    }
    data = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n" + payload
    if len(data) > limit(size):
        return  # it would not be read
    for folder in (entry.parent.parent, entry.parent) if kind else (entry.parent,):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(folder, folder.stat()):
            return
    atomic_write(entry, data, mode=0o600)
    if not kind:
        _prune(entry.parent)
    elif kind not in _pruned:
        _pruned.add(kind)  # one look over the many entries of files per process
        _prune(entry.parent, KEEP_FILES)


def forget(digest: str) -> None:
    """Remove the entry for bytes that are no longer on disk (after a write replaced them)."""
    entry = _entry(digest)
    if entry is not None:
        _later(lambda: _remove_if_ours(entry, checked=False))


def ours(path: Path) -> bool:
    """Whether `path` is a file this cache wrote: by its name and by its first bytes."""
    name = re.fullmatch(_ENTRY_NAME, path.name) or re.fullmatch(_TEMPORARY_NAME, path.name)
    if name is None:
        return False
    try:
        fd = os.open(path, _FLAGS)  # not through a link, not waiting on a FIFO
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            head = os.read(fd, 200)
        finally:
            os.close(fd)
    except OSError:
        return False
    if not head and re.fullmatch(_TEMPORARY_NAME, path.name):
        return True  # a writer killed before it wrote its first byte
    start = re.match(_ENTRY_HEAD, head)
    return start is not None and start[1].decode() == name[1]


def _remove_if_ours(path: Path, *, checked: bool = True) -> None:
    """Remove our file `path`; unless the directory is `checked` private, only if it is."""
    if (checked or _private(path.parent, path.parent.stat())) and ours(path):
        with contextlib.suppress(OSError):
            path.unlink()


def _prune(folder: Path, keep: int = KEEP) -> None:
    """Keep the newest entries; remove temporary files that killed writers left behind.

    Only files that are ours by name and content are touched: the directory may be one
    the user shares with other programs.
    """
    entries: list[tuple[float, Path]] = []
    leftovers: list[Path] = []
    now = time.time()
    for candidate in folder.iterdir():
        try:
            modified = candidate.lstat().st_mtime
        except OSError:
            continue
        if re.fullmatch(_ENTRY_NAME, candidate.name):
            entries.append((modified, candidate))
        elif re.fullmatch(_TEMPORARY_NAME, candidate.name) and now - modified > STALE:
            leftovers.append(candidate)
    entries.sort(reverse=True)
    for old in [*(p for _, p in entries[keep:]), *leftovers]:
        _remove_if_ours(old)


# --- encoding: compact lists, dates as ISO strings ------------------------------------------


def _encode(parsed: Parsed) -> dict[str, Any]:
    ledger = parsed.ledger
    vocab = ledger.vocabularies
    dates = [d for report in ledger.reports for d in (report.date, report.reaction.date)]
    dates += [c.date for r in ledger.recommendations for c in r.history]
    dates += [s.date for s in ledger.sources if s.date]  # no date may be after today
    return {
        "latest": max(dates, default=date.min).isoformat(),
        "reports": [
            [
                report.key,
                report.publisher,
                report.number,
                report.title,
                report.date.isoformat(),
                [
                    report.reaction.reference,
                    report.reaction.date.isoformat(),
                    report.reaction.source,
                    report.reaction.url,
                    report.reaction.label,
                ],
                list(report.context),
            ]
            for report in ledger.reports
        ],
        "vocabularies": {
            section: [
                [t.key, t.nl, t.en, list(t.aliases), t.final] for t in vocab.by_section(section)
            ]
            for section in _SECTIONS
        },
        "local": {
            section: {key: sorted(owners) for key, owners in keys.items()}
            for section, keys in ledger.local.items()
        },
        "recommendations": [
            [
                r.id,
                r.title,
                r.theme,
                r.stance,
                list(r.actors),
                r.status,
                list(r.quotes),
                [
                    [
                        c.date.isoformat(),
                        c.status,
                        c.note,
                        c.by,
                        c.source,
                        list(c.quotes),
                        c.relation,
                    ]
                    for c in r.history
                ],
                layout_values(parsed.layouts[r.id]),
                r.report,
                r.due.isoformat() if r.due else None,
                r.review.isoformat() if r.review else None,
            ]
            for r in ledger.recommendations
        ],
        "quotes": [
            [owner, index, place.line, place.column, place.path.name if parsed.files else ""]
            for (owner, index), place in parsed.quote_places.items()
        ],
        "blocks": {path: list(place) for path, place in parsed.blocks.items()},
        "sources": [
            [*s[:4], s.date.isoformat() if s.date else None, s.kind, s.url, s.sha256, s.excerpt]
            for s in ledger.sources
        ],
        "documents": list(parsed.documents),
        "files": list(parsed.files),
    }


def _decode(document: dict[str, Any], path: Path) -> Parsed:
    iso = date.fromisoformat
    reports = tuple(
        AdviceReport(
            publisher,
            number,
            title,
            iso(day),
            Reaction(
                reaction[0],
                iso(reaction[1]),
                reaction[2],
                reaction[3],
                Label(*reaction[4]) if reaction[4] else None,
            ),
            tuple(context),
            key,
        )
        for key, publisher, number, title, day, reaction, context in document["reports"]
    )
    sections = document["vocabularies"]
    vocab = Vocabularies(
        **{
            section: Vocabulary(
                name,
                tuple(
                    Term(k, nl, en, tuple(aliases), final)
                    for k, nl, en, aliases, final in sections[section]
                ),
            )
            for section, name in _SECTIONS.items()
        }
    )
    local = {
        section: {key: frozenset(owners) for key, owners in keys.items()}
        for section, keys in document["local"].items()
    }
    recommendations = []
    layouts = {}
    for (
        rid,
        title_,
        theme,
        stance,
        actors,
        status,
        quotes,
        history,
        layout,
        report,
        due,
        review,
    ) in document["recommendations"]:
        recommendations.append(
            Recommendation(
                rid,
                title_,
                theme,
                stance,
                tuple(actors),
                status,
                tuple(quotes),
                tuple(
                    StatusChange(iso(d), s, n, b, src, tuple(q), rel)
                    for d, s, n, b, src, q, rel in history
                ),
                report,
                iso(due) if due else None,
                iso(review) if review else None,
            )
        )
        layouts[rid] = layout_from_values(layout)
    files = {name: path / name for name in document["files"]}  # one path per file
    files[""] = path
    places = {
        (owner, index): Location(files[name], line, column)
        for owner, index, line, column, name in document["quotes"]
    }
    blocks = {path: BlockPlace(*place) for path, place in document["blocks"].items()}
    sources = tuple(
        Source(i, file, title, publisher, iso(day) if day else None, kind, url, sha, excerpt)
        for i, file, title, publisher, day, kind, url, sha, excerpt in document["sources"]
    )
    ledger = Ledger(reports, vocab, tuple(recommendations), sources, local)
    return Parsed(
        ledger, layouts, places, blocks, tuple(document["documents"]), tuple(document["files"])
    )
