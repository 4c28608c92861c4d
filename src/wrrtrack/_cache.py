"""A cache of parsed registries, so that reading a large registry costs a JSON load.

The YAML file stays the only source of truth. An entry is keyed by a hash (BLAKE2b) of the
file's bytes, and holds wrrtrack's version and a fingerprint of wrrtrack's own code (the
name, size and modification time of each of its modules, as Python's own bytecode cache
checks them): an entry written by other code, even a changed label in an editable install,
is never believed. It is only ever written for a registry that read without problems; an
entry that is stale, corrupt, from other code or otherwise not what we wrote is ignored
(and replaced), never an error. Where the cache lives:
$WRRTRACK_CACHE_DIR, else $XDG_CACHE_HOME/wrrtrack, else ~/.cache/wrrtrack.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from wrrtrack import __version__
from wrrtrack._edit import BlockPlace, Parsed, layout_from_values, layout_values
from wrrtrack._errors import Location
from wrrtrack._model import AdviceReport, Ledger, Reaction, Recommendation, StatusChange
from wrrtrack._vocabulary import Term, Vocabularies, Vocabulary

ENV_VAR = "WRRTRACK_CACHE_DIR"
FORMAT = 2
KEEP = 8  # entries kept; older ones are removed when a new one is written
STALE = 600  # seconds after which a temporary file in the cache is a dead writer's
_SECTIONS = {"themes": "theme", "actors": "actor", "stances": "stance", "statuses": "status"}


def directory() -> Path:
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wrrtrack"


try:
    # The built-in BLAKE2 module: as fast as OpenSSL's SHA-256 on large files, but without
    # loading OpenSSL, which would add 2 ms to the start-up of every command.
    from _blake2 import blake2b
except ImportError:  # a Python built without it
    from hashlib import blake2b


def key(data: bytes) -> str:
    """The content hash an entry is filed under."""
    return blake2b(data, digest_size=32).hexdigest()


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


def _entry(digest: str) -> Path:
    return directory() / f"{digest}.json"


def load(digest: str, path: Path) -> Parsed | None:
    """The parse stored for these bytes, or None when there is no entry we can trust."""
    try:
        raw = _entry(digest).read_bytes()
        document = json.loads(raw)
        if (
            document.get("format") != FORMAT
            or document.get("version") != __version__
            or document.get("key") != digest
            or document.get("code") != code_fingerprint()
        ):
            return None
        return _decode(document, path)
    except Exception:  # noqa: BLE001 (any unreadable entry just means: parse the file)
        return None


def store(digest: str, parsed: Parsed) -> None:
    """Write the entry for these bytes; a cache that cannot be written is no error."""
    from wrrtrack.storage import atomic_write

    document = {
        "format": FORMAT,
        "version": __version__,
        "code": code_fingerprint(),
        "key": digest,
        **_encode(parsed),
    }
    with contextlib.suppress(Exception):
        folder = directory()
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(_entry(digest), json.dumps(document, ensure_ascii=False), mode=0o600)
        _prune(folder)


def forget(digest: str) -> None:
    """Remove the entry for bytes that are no longer on disk (after a write replaced them)."""
    with contextlib.suppress(OSError):
        _entry(digest).unlink()


def _prune(folder: Path) -> None:
    """Keep the newest entries; remove temporary files that killed writers left behind."""
    from wrrtrack.storage import TEMP_MARK

    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    leftovers = [
        p for p in folder.glob(f".*{TEMP_MARK}*") if time.time() - p.stat().st_mtime > STALE
    ]
    for old in [*entries[KEEP:], *leftovers]:
        with contextlib.suppress(OSError):
            old.unlink()


# --- encoding: compact lists, dates as ISO strings ------------------------------------------


def _encode(parsed: Parsed) -> dict[str, Any]:
    ledger = parsed.ledger
    report = ledger.report
    vocab = ledger.vocabularies
    return {
        "report": [
            report.publisher,
            report.number,
            report.title,
            report.date.isoformat(),
            [report.reaction.reference, report.reaction.date.isoformat(), report.reaction.source],
            list(report.context),
        ],
        "vocabularies": {
            section: [[t.key, t.nl, t.en, list(t.aliases)] for t in vocab.by_section(section)]
            for section in _SECTIONS
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
                [[c.date.isoformat(), c.status, c.note, c.by, c.source] for c in r.history],
                layout_values(parsed.layouts[r.id]),
            ]
            for r in ledger.recommendations
        ],
        "quotes": [
            [owner, index, place.line, place.column]
            for (owner, index), place in parsed.quote_places.items()
        ],
        "blocks": {path: list(place) for path, place in parsed.blocks.items()},
    }


def _decode(document: dict[str, Any], path: Path) -> Parsed:
    publisher, number, title, day, reaction, context = document["report"]
    report = AdviceReport(
        publisher,
        number,
        title,
        date.fromisoformat(day),
        Reaction(reaction[0], date.fromisoformat(reaction[1]), reaction[2]),
        tuple(context),
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
    iso = date.fromisoformat
    recommendations = []
    layouts = {}
    for rid, title_, theme, stance, actors, status, quotes, history, layout in document[
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
                tuple(StatusChange(iso(d), s, n, b, src) for d, s, n, b, src in history),
            )
        )
        layouts[rid] = layout_from_values(layout)
    places = {
        (owner, index): Location(path, line, column)
        for owner, index, line, column in document["quotes"]
    }
    blocks = {path: BlockPlace(*place) for path, place in document["blocks"].items()}
    return Parsed(Ledger(report, vocab, tuple(recommendations)), layouts, places, blocks)
