"""The index (`_index`): `list` and `show` answered from SQLite give what a full read
gives, and an index that is deleted, damaged, truncated, a link, a FIFO, or older than a
file changed behind its back (same size, same times) is noticed and rebuilt: never a
stale answer, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Runner
from wrrtrack import _index

COMMANDS = (
    ("list",),
    ("list", "--actor", "gemeente", "--status", "open"),
    ("list", "--search", "richtgetallen", "--format", "json"),
    ("list", "--theme", "arbeid", "--format", "tsv"),
    ("show", "wrr103-7"),
    ("show", "WRR103-12", "--format", "json"),
    ("show", "wrr103-99"),
)


@pytest.fixture(autouse=True)
def _every_registry_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped registry is small: index it all the same."""
    monkeypatch.setattr(_index, "SMALLEST", 0)


@pytest.fixture(params=["file", "folder"])
def layout(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "file":
        shutil.copytree(ROOT / "data", tmp_path / "data")
        return tmp_path / "data" / "recommendations.yaml"
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copytree(ROOT / "data" / "sources", folder / "sources")
    shutil.copyfile(SHIPPED, folder / "wrr-103.yaml")
    return folder


def answers(cli: Runner, registry: Path, *, cache: bool = True) -> list[tuple[int, str, str]]:
    options = () if cache else ("--no-cache",)
    found = [cli(*options, "-r", registry, *command) for command in COMMANDS]
    return [(result.code, result.out, result.err) for result in found]


def database(registry: Path) -> Path:
    found = _index.database(registry)
    assert found is not None
    return found


def test_list_and_show_from_the_index_are_a_full_reads(cli: Runner, layout: Path) -> None:
    full = answers(cli, layout, cache=False)
    assert answers(cli, layout) == full  # builds the index
    assert database(layout).is_file()
    assert database(layout).stat().st_mode & 0o777 == 0o600
    assert answers(cli, layout) == full  # answered from it
    assert not [err for _, _, err in full if "Traceback" in err]


def test_the_index_answers_without_decoding_the_registry(
    cli: Runner, layout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack import _cache, _reading

    assert cli("-r", layout, "show", "wrr103-7").code == 0

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the registry was read in full")

    monkeypatch.setattr(_reading, "read", refused)
    monkeypatch.setattr(_cache, "load", refused)
    assert cli("-r", layout, "show", "wrr103-7").code == 0
    assert cli("-r", layout, "list", "--actor", "gemeente").code == 0


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    info = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_file_changed_behind_the_indexs_back_is_noticed(cli: Runner, layout: Path) -> None:
    answers(cli, layout)
    file = layout / "wrr-103.yaml" if layout.is_dir() else layout
    edit_in_place(file, b"status: open", b"status: uitg")  # same size, same times
    full = answers(cli, layout, cache=False)
    assert answers(cli, layout) == full
    edit_in_place(file, b"status: uitg", b"status: open")
    assert answers(cli, layout) == answers(cli, layout, cache=False)


@pytest.mark.parametrize(
    "damage", ["delete", "truncate", "garbage", "zero-page", "row", "order", "head"]
)
def test_a_damaged_index_is_noticed_and_rebuilt(cli: Runner, layout: Path, damage: str) -> None:
    full = answers(cli, layout, cache=False)
    answers(cli, layout)
    db = database(layout)
    if damage == "delete":
        db.unlink()
    elif damage == "truncate":
        with db.open("r+b") as handle:
            handle.truncate(db.stat().st_size // 3)
    elif damage == "garbage":
        db.write_bytes(b"not a database at all" * 100)
    elif damage == "zero-page":
        data = bytearray(db.read_bytes())
        data[4096:8192] = bytes(4096)
        db.write_bytes(bytes(data))
    else:  # a row or the head changed as no write of ours would
        connection = sqlite3.connect(db)
        if damage == "row":
            connection.execute("UPDATE records SET data = replace(data, 'open', 'uitgevoerd')")
        elif damage == "order":
            connection.execute("UPDATE records SET position = -1 - position")
        else:
            connection.execute("UPDATE head SET data = replace(data, 'e', 'i')")
        connection.commit()
        connection.close()
    assert answers(cli, layout) == full  # noticed: read in full
    assert answers(cli, layout) == full  # and rebuilt


@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_an_index_that_is_not_a_file_is_refused(
    cli: Runner, layout: Path, tmp_path: Path, kind: str
) -> None:
    full = answers(cli, layout, cache=False)
    answers(cli, layout)
    db = database(layout)
    db.unlink()
    if kind == "link":
        target = tmp_path / "elsewhere.sqlite"
        target.write_bytes(b"")
        db.symlink_to(target)
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(db)
    got = answers(cli, layout)
    assert [(code, out) for code, out, _ in got] == [(code, out) for code, out, _ in full]
    assert "not an entry wrrtrack wrote" in got[0][2]
    assert db.is_symlink() if kind == "link" else not db.is_file()


def test_a_write_then_a_read_answers_for_the_new_bytes(cli: Runner, layout: Path) -> None:
    answers(cli, layout)
    assert cli("-r", layout, "status", "set", "wrr103-7", "uitgevoerd", "--note", "n").code == 0
    assert answers(cli, layout) == answers(cli, layout, cache=False)
