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
"""

from __future__ import annotations

import contextlib
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
FORMAT = 6  # 2: newest date ("latest"); 3: the code and blocks; 4: sources; 5: reports;
# 6: folder registries (the file of each document and of each quote's place)
KEEP = 8  # entries kept; older ones are removed when a new one is written
STALE = 600  # seconds after which a temporary file in the cache is a dead writer's
_SECTIONS = {"themes": "theme", "actors": "actor", "stances": "stance", "statuses": "status"}


# What our files look like: an entry is named by its key and starts with that key; a
# temporary file is an entry's name with storage's mark, a pid and a random part. Patterns,
# not compiled ones: `re` compiles them when housekeeping first needs them, not at start-up.
_ENTRY_NAME = r"([0-9a-f]{64})\.json"
_TEMPORARY_NAME = r"\.([0-9a-f]{64})\.json\.wrrtrack-tmp-\d+-[0-9a-f]{8}"
_ENTRY_HEAD = rb'\{"format": \d+, "version": "[^"\\]*", "key": "([0-9a-f]{64})"'

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


def key_of(parts: Iterable[bytes]) -> str:
    """The `key` of `parts` one after another (a folder registry's names and bytes)."""
    digest = blake2b(digest_size=32, key=bytes.fromhex(code_fingerprint()))
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


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


def _entry(digest: str) -> Path | None:
    folder = directory()
    return None if folder is None else folder / f"{digest}.json"


def load(
    digest: str, path: Path, still_valid: Callable[[date], bool] | None = None
) -> Parsed | None:
    """The parse stored for these bytes, or None when there is no entry we can trust.

    `still_valid(latest)` is asked about the newest date in the registry: an entry made
    when that date was not yet in the future may not answer for a clock or time zone
    under which it is (the full parse then gives the same verdict as without a cache).
    """
    try:
        entry = _entry(digest)
        if entry is None:
            return None
        document = json.loads(entry.read_bytes())
        if (
            document.get("format") != FORMAT
            or document.get("version") != __version__
            or document.get("key") != digest
            or document.get("code") != code_fingerprint()
        ):
            return None
        if still_valid is not None and not still_valid(date.fromisoformat(document["latest"])):
            return None
        return _decode(document, path)
    except Exception:  # noqa: BLE001 (any unreadable entry just means: parse the file)
        return None


def store(digest: str, parsed: Parsed) -> None:
    """Write the entry for these bytes; a cache that cannot be written is no error."""
    _later(lambda: _store(digest, parsed))


def _store(digest: str, parsed: Parsed) -> None:
    from wrrtrack.storage import atomic_write

    entry = _entry(digest)
    if entry is None:
        return
    # "key" stays the third field: housekeeping recognises our entries by their start.
    document = {
        "format": FORMAT,
        "version": __version__,
        "key": digest,
        "code": code_fingerprint(),
        **_encode(parsed),
    }
    entry.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(entry, json.dumps(document, ensure_ascii=False), mode=0o600)
    _prune(entry.parent)


def forget(digest: str) -> None:
    """Remove the entry for bytes that are no longer on disk (after a write replaced them)."""
    entry = _entry(digest)
    if entry is not None:
        _later(lambda: _remove_if_ours(entry))


def ours(path: Path) -> bool:
    """Whether `path` is a file this cache wrote: by its name and by its first bytes."""
    name = re.fullmatch(_ENTRY_NAME, path.name) or re.fullmatch(_TEMPORARY_NAME, path.name)
    if name is None:
        return False
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        with path.open("rb") as handle:
            head = handle.read(200)
    except OSError:
        return False
    if not head and re.fullmatch(_TEMPORARY_NAME, path.name):
        return True  # a writer killed before it wrote its first byte
    start = re.match(_ENTRY_HEAD, head)
    return start is not None and start[1].decode() == name[1]


def _remove_if_ours(path: Path) -> None:
    if ours(path):
        with contextlib.suppress(OSError):
            path.unlink()


def _prune(folder: Path) -> None:
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
    for old in [*(p for _, p in entries[KEEP:]), *leftovers]:
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
            section: [[t.key, t.nl, t.en, list(t.aliases)] for t in vocab.by_section(section)]
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
                    [c.date.isoformat(), c.status, c.note, c.by, c.source, list(c.quotes)]
                    for c in r.history
                ],
                layout_values(parsed.layouts[r.id]),
                r.report,
            ]
            for r in ledger.recommendations
        ],
        "quotes": [
            [owner, index, place.line, place.column, place.path.name if parsed.files else ""]
            for (owner, index), place in parsed.quote_places.items()
        ],
        "blocks": {path: list(place) for path, place in parsed.blocks.items()},
        "sources": [
            [*s[:4], s.date.isoformat() if s.date else None, s.kind, s.url, s.sha256]
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
                tuple(Term(k, nl, en, tuple(aliases)) for k, nl, en, aliases in sections[section]),
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
    for rid, title_, theme, stance, actors, status, quotes, history, layout, report in document[
        "recommendations"
    ]:
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
                    StatusChange(iso(d), s, n, b, src, tuple(q)) for d, s, n, b, src, q in history
                ),
                report,
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
        Source(i, file, title, publisher, iso(day) if day else None, kind, url, sha)
        for i, file, title, publisher, day, kind, url, sha in document["sources"]
    )
    ledger = Ledger(reports, vocab, tuple(recommendations), sources, local)
    return Parsed(
        ledger, layouts, places, blocks, tuple(document["documents"]), tuple(document["files"])
    )
