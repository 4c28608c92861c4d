"""Stamps (`_stamps`): a file's status vouches for its bytes only where it can, and the
index believes a stamp only then, reading and hashing every other file."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import Runner
from wrrtrack import _folder, _index, _stamps, storage

SECOND = 1_000_000_000


def stamp(**changes: int) -> _stamps.Stamp:
    return _stamps.Stamp(100, 5 * SECOND, 6 * SECOND, 7, 8)._replace(**changes)


def test_a_stamp_vouches_only_when_equal_and_older_than_its_hash_by_the_margin() -> None:
    hashed = 6 * SECOND + _stamps.MARGIN + 1
    assert _stamps.unchanged(stamp(), hashed, stamp()) is _stamps.BELIEVED
    # A change in the same tick of a coarse clock could leave the same stamp: hash again.
    assert not _stamps.unchanged(stamp(), hashed - 1, stamp())
    assert not _stamps.unchanged(stamp(mtime=9 * SECOND), hashed, stamp(mtime=9 * SECOND))
    for field in _stamps.Stamp._fields:  # any difference: hash again
        other = stamp(**{field: getattr(stamp(), field) + 1})
        assert not _stamps.unchanged(stamp(), hashed, other)


def test_without_a_change_time_no_stamp_vouches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_stamps, "BELIEVED", False)
    assert not _stamps.unchanged(stamp(), 100 * SECOND, stamp())


def test_a_stamp_is_taken_from_stat(tmp_path: Path) -> None:
    file = tmp_path / "f"
    file.write_bytes(b"abc")
    info = file.stat()
    assert _stamps.of(info) == (3, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


@pytest.fixture
def registry(layout: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped registry, as a file or a folder (with a second file of vocabularies
    for all reports), indexed however small, its stamps believed at once."""
    monkeypatch.setattr(_index, "SMALLEST", 0)
    # As if every file had been hashed long after it was last changed.
    monkeypatch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
    if layout.is_dir():
        (layout / "other.yaml").write_text(
            "vocabularies:\n  themes:\n    extra: {nl: Extra, en: Extra}\n"
        )
    return layout


def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    read: list[Path] = []
    real_file, real_bytes = _folder.read_file, storage.read_bytes

    def read_file(path: Path) -> bytes:
        read.append(path)
        return real_file(path)

    def read_bytes(path: Path, limit: int = storage.MAX_BYTES) -> bytes:
        read.append(path)
        return real_bytes(path, limit)

    monkeypatch.setattr(_folder, "read_file", read_file)
    monkeypatch.setattr(storage, "read_bytes", read_bytes)
    return read


def test_files_the_stamps_vouch_for_are_not_read(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = cli("--no-cache", "-r", registry, "show", "wrr103-7")
    assert cli("-r", registry, "show", "wrr103-7") == full  # builds the index, stamps
    read = reads(monkeypatch)
    assert cli("-r", registry, "show", "wrr103-7") == full
    assert cli("-r", registry, "list", "--actor", "gemeente").code == 0
    assert read == []


def test_a_file_whose_stamp_changed_is_read_and_hashed_alone(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("-r", registry, "show", "wrr103-7")
    file = registry / "wrr-103.yaml" if registry.is_dir() else registry
    os.utime(file)  # the same bytes, a new stamp
    read = reads(monkeypatch)
    assert cli("-r", registry, "show", "wrr103-7").code == 0
    assert read == [file]
    read.clear()
    assert cli("-r", registry, "show", "wrr103-7").code == 0  # stamped again
    assert read == []


@pytest.mark.parametrize("how", ["same size and times", "renamed over", "times set back"])
def test_an_edit_behind_the_index_is_seen_whatever_the_times_say(
    cli: Runner, registry: Path, how: str
) -> None:
    cli("-r", registry, "show", "wrr103-7")
    file = registry / "wrr-103.yaml" if registry.is_dir() else registry
    info = file.stat()
    data = file.read_bytes().replace(b"status: open", b"status: uitg", 1)
    if how == "renamed over":  # as sed -i and editors save
        (file.parent / "new").write_bytes(data)
        (file.parent / "new").replace(file)
    else:
        file.write_bytes(data)
    if how == "same size and times":
        os.utime(file, ns=(info.st_atime_ns, info.st_mtime_ns))
    elif how == "times set back":
        os.utime(file, ns=(SECOND, SECOND))
    assert file.stat().st_size == info.st_size
    for command in (("show", "wrr103-7"), ("list", "--status", "uitgevoerd", "--format", "ids")):
        assert cli("-r", registry, *command) == cli("--no-cache", "-r", registry, *command)


def test_a_git_checkout_of_another_version_is_seen(cli: Runner, registry: Path) -> None:
    from tests.helpers import commit, git

    where = registry if registry.is_dir() else registry.parent
    git(where, "init", "-q")
    commit(where, "first")
    args = ("status", "set", "wrr103-2", "afgewezen", "--note", "n", "--by", "p")
    assert cli("-r", registry, *args, "--date", "2026-03-01").code == 0
    commit(where, "second")
    for command in (("show", "wrr103-2"), ("list", "--format", "json")):
        assert cli("-r", registry, *command) == cli("--no-cache", "-r", registry, *command)
    git(where, "checkout", "-q", "HEAD~1", "--", ".")  # the files as they were
    for command in (("show", "wrr103-2"), ("list", "--format", "json")):
        assert cli("-r", registry, *command) == cli("--no-cache", "-r", registry, *command)
