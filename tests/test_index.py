"""The index (`_index`): `list` and `show` answered from SQLite give what a full read
gives, and an index that is deleted, damaged, truncated, a link, a FIFO, or older than a
file changed behind its back (same size, same times) is noticed and rebuilt: never a
stale answer, never a traceback."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Runner
from tests.helpers import KEY, QUOTE, add, back_to_back, snapshot, with_second_report
from wrrtrack import _index

TODAY = "2026-03-01"

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


# --- writes through the index ----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of two reports, indexed, with stamps believed at once."""
    from wrrtrack import _stamps

    monkeypatch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
    base = tmp_path / "reports"
    base.mkdir()
    shutil.copytree(ROOT / "data" / "sources", base / "sources")
    shutil.copyfile(SHIPPED, base / "wrr-103.yaml")
    return base


def counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from wrrtrack import _folder, _reading

    names: list[str] = []
    real = _folder.read_file

    def read_file(path: Path) -> bytes:
        names.append(path.name)
        return real(path)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the registry was read in full")

    monkeypatch.setattr(_folder, "read_file", read_file)
    monkeypatch.setattr(_reading, "read", refused)
    monkeypatch.setattr(_reading, "bytes_of", refused)
    return names


def test_a_write_through_the_index_reads_only_the_file_it_changes(
    cli: Runner, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_second_report(cli, folder)
    assert answers(cli, folder)  # builds the index
    names = counted_reads(monkeypatch)
    done = cli("-r", folder, "status", "set", "wrr103-7", "uitgevoerd", "--note", "n", "--by", "p")
    assert done.code == 0, done.err
    assert names == ["wrr-103.yaml"]
    names.clear()
    added = add(cli, folder, "rd-2")
    assert getattr(added, "code", None) == 0
    assert names == [f"{KEY}.yaml"]
    monkeypatch.undo()
    assert answers(cli, folder) == answers(cli, folder, cache=False)


def test_a_write_to_records_in_two_files_through_the_index(
    cli: Runner, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_second_report(cli, folder)
    answers(cli, folder)
    names = counted_reads(monkeypatch)
    done = cli("-r", folder, "status", "set", "vsd-1", "wrr103-1", "vervallen", "--by", "p")
    assert done.code == 0, done.err
    assert sorted(names) == sorted([f"{KEY}.yaml", "wrr-103.yaml"])
    monkeypatch.undo()
    assert answers(cli, folder) == answers(cli, folder, cache=False)
    show = ("show", "vsd-1", "--format", "json")
    assert cli("-r", folder, *show) == cli("--no-cache", "-r", folder, *show)


ADD = shlex.split(f"--report {KEY} --title T --stance onderschreven --actor college --by p")
REFUSED = [
    shlex.split("status set wrr103-7 uitgevoerd --by p"),  # its status already, and no note
    shlex.split("status set wrr103-7 klaar --by p"),
    shlex.split("status set wrr103-77 in-uitvoering --by p"),
    shlex.split("status set wrr103-7 wrr103-7 in-uitvoering --by p"),
    shlex.split("status set wrr103-7 in-uitvoering --date 2019-01-01 --by p"),
    shlex.split("status set vsd-2 afgewezen --date 2025-02-11 --by 'A. Jansen'"),  # a retry
    ["add", "wrr103-7", *ADD, "--theme", "wijkaanpak", "--quote", QUOTE],  # another file's id
    ["add", "rd-9", *ADD, "--theme", "wijkaanpak", "--quote", "niet in de bron"],
    ["add", "rd-9", *ADD, "--theme", "arbeid", "--quote", QUOTE],
    shlex.split("edit wrr103-7 --theme nergens"),
    shlex.split("edit wrr103-7 --quote 'niet in de bron'"),
    shlex.split("edit vsd-1 --due 2020-01-01"),
]


@pytest.mark.parametrize("command", REFUSED)
def test_a_refusal_through_the_index_is_the_whole_registrys_and_changes_nothing(
    cli: Runner, folder: Path, tmp_path: Path, command: list[str]
) -> None:
    with_second_report(cli, folder)
    twin = tmp_path / "twin"
    shutil.copytree(folder, twin)
    answers(cli, folder)  # indexed; the twin is written without any cache
    before = snapshot(folder)
    got = cli("-r", folder, *command)
    want = cli("--no-cache", "-r", twin, *command)
    assert (got.code, got.out) == (want.code, want.out)
    assert got.err.replace(str(folder), str(twin)) == want.err
    assert got.code != 0
    assert snapshot(folder) == before


def test_a_file_changed_behind_the_index_makes_the_write_read_the_whole(
    cli: Runner, folder: Path
) -> None:
    answers(cli, folder)
    edit_in_place(folder / "wrr-103.yaml", b"status: open", b"status: uitg")  # same size, times
    done = cli("-r", folder, "status", "set", "wrr103-2", "uitgevoerd", "--by", "p")
    assert done.code == 1
    assert "uitg" in done.err


def kept_note(text: str) -> str:
    """The last record ends in a note that keeps its blank lines (`|+`)."""
    at = text.rindex("\n        note: ")
    text = text[:at] + text[text.index("\n", at + 1) :]
    return text.rstrip("\n") + "\n        note: |+\n          Kept.\n\n\n"


SHAPES = {
    "as shipped": lambda text: text,
    "CRLF": lambda text: text.replace("\n", "\r\n"),
    "back to back": back_to_back,
    "kept note": kept_note,
}


WRITES = {
    "status set": ("status", "set", "{id}", "afgewezen", "--note", "n", "--by", "p", "--date",
                   "2026-03-01"),
    "edit": ("edit", "{id}", "--title", "Een nieuwe titel", "--actor", "rijk", "--due",
             "2027-01-01"),
}  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("identifier", ["wrr103-1", "wrr103-4", "wrr103-7"])
@pytest.mark.parametrize("kind", ["file", "folder"])
@pytest.mark.parametrize("write", WRITES)
def test_a_write_through_the_index_writes_the_bytes_a_full_write_writes(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, identifier: str,
    kind: str, write: str,
) -> None:  # fmt: skip
    from wrrtrack import _stamps, _transaction

    monkeypatch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
    places = []
    for name in ("indexed", "full"):
        base = tmp_path / name
        shutil.copytree(ROOT / "data", base)
        registry = base / "recommendations.yaml"
        registry.write_bytes(SHAPES[shape](registry.read_text()).encode())
        if kind == "folder":
            registry.rename(base / "wrr-103.yaml")
            registry = base
        places.append(registry)
    indexed, full = places
    assert cli("-r", indexed, "list").code == 0  # builds the index
    taken = []
    for name in ("write_by_index", "write_record_by_index"):
        real = getattr(_transaction, name)

        def spy(*args: object, real: object = real, **kwargs: object) -> object:
            result = real(*args, **kwargs)  # type: ignore[operator]
            taken.append(result is not None)
            return result

        monkeypatch.setattr(_transaction, name, spy)
    command = tuple(word.replace("{id}", identifier) for word in WRITES[write])
    got = cli("-r", indexed, *command)
    assert taken == [True], got.err
    want = cli("--no-cache", "-r", full, *command)
    assert (got.code, got.out.replace(str(indexed), str(full))) == (want.code, want.out)
    for path in sorted(full.rglob("*.yaml")):
        assert (indexed / path.relative_to(full)).read_bytes() == path.read_bytes()
    for command in (("list", "--format", "json"), ("show", identifier)):
        assert cli("-r", indexed, *command).out == cli("--no-cache", "-r", indexed, *command).out


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_write_that_read_the_whole_registry_leaves_its_index(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from wrrtrack import _stamps, _transaction

    monkeypatch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    registry = tmp_path / "data" / "recommendations.yaml"
    if kind == "folder":
        registry.rename(tmp_path / "data" / "wrr-103.yaml")
        registry = tmp_path / "data"
    vocab = ("vocab", "add", "themes", "wijk", "--nl", "Wijk", "--en", "Area")
    assert cli("-r", registry, *vocab).code == 0  # no index yet: read whole, then indexed
    name = "write_by_index" if kind == "folder" else "write_record_by_index"
    taken = []
    real = getattr(_transaction, name)

    def spy(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(_transaction, name, spy)
    again = ("status", "set", "wrr103-2", "afgewezen", "--by", "p", "--date", "2026-03-01")
    assert cli("-r", registry, *again).code == 0
    assert taken == [True]
    assert answers(cli, registry) == answers(cli, registry, cache=False)


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE places SET start = start + 7",
        "UPDATE places SET byte = byte + 7",
        "UPDATE places SET start = start - 40, byte = byte - 40 WHERE position > 2",
        "DELETE FROM places WHERE position = 6",
        "UPDATE files SET hashed = hashed + 1",
    ],
)
@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_damaged_place_or_stamp_never_misplaces_a_write(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, kind: str
) -> None:
    from wrrtrack import _stamps

    monkeypatch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
    places = []
    for name in ("indexed", "full"):
        shutil.copytree(ROOT / "data", tmp_path / name)
        registry = tmp_path / name / "recommendations.yaml"
        if kind == "folder":
            registry.rename(tmp_path / name / "wrr-103.yaml")
            registry = tmp_path / name
        places.append(registry)
    indexed, full = places
    assert cli("-r", indexed, "list").code == 0
    connection = sqlite3.connect(database(indexed))
    connection.execute(damage)
    connection.commit()
    connection.close()
    for command in (
        ("status", "set", "wrr103-7", "afgewezen", "--note", "n", "--by", "p", "--date", TODAY),
        ("edit", "wrr103-6", "--title", "Een andere titel"),
    ):
        got, want = cli("-r", indexed, *command), cli("--no-cache", "-r", full, *command)
        assert (got.code, got.err) == (want.code, want.err.replace(str(full), str(indexed)))
    for path in sorted(full.rglob("*.yaml")):
        assert (indexed / path.relative_to(full)).read_bytes() == path.read_bytes()
    assert answers(cli, indexed) == answers(cli, indexed, cache=False)


def test_a_file_changed_by_hand_replaces_that_files_rows_only(
    cli: Runner, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_second_report(cli, folder)
    (folder / "extra.yaml").write_text("vocabularies:\n  themes:\n    extra: {nl: E, en: E}\n")
    assert answers(cli, folder)  # the index of the four files
    edit_in_place(folder / f"{KEY}.yaml", b"Een aanspreekpunt", b"Een aanspreekpost")

    built: list[object] = []  # (an error here would be swallowed: the cache never fails)
    monkeypatch.setattr(_index, "_fill", lambda *args: built.append(args))
    show = ("show", "vsd-1", "--format", "json")
    assert cli("-r", folder, *show) == cli("--no-cache", "-r", folder, *show)
    assert "aanspreekpost" in cli("-r", folder, *show).out
    assert built == []
    assert answers(cli, folder) == answers(cli, folder, cache=False)
    # A file added is not a file changed: the index is built anew, and answers.
    monkeypatch.undo()
    (folder / "more.yaml").write_text("vocabularies:\n  themes:\n    meer: {nl: M, en: M}\n")
    assert answers(cli, folder) == answers(cli, folder, cache=False)


def test_a_key_taken_away_in_another_file_is_seen_in_the_records_that_use_it(
    cli: Runner, folder: Path
) -> None:
    # A record's values are its own text, so a changed file's rows are all that change;
    # but a record in an unchanged file may stop being valid, which a full read says.
    with_second_report(cli, folder)
    vocab = folder / "all.yaml"
    vocab.write_text("vocabularies:\n  themes:\n    buurt: {nl: Buurt, en: Area}\n")
    report = folder / f"{KEY}.yaml"
    report.write_text(report.read_text().replace("theme: wijkaanpak", "theme: buurt", 1))
    show = ("show", "vsd-1", "--format", "json")
    assert answers(cli, folder) == answers(cli, folder, cache=False)
    assert '"theme": "buurt"' in cli("-r", folder, *show).out
    edit_in_place(vocab, b"buurt: {nl: Buurt, en: Area}", b"wijk1: {nl: Buurt, en: Area}")
    got = cli("-r", folder, *show)
    assert got == cli("--no-cache", "-r", folder, *show)
    assert got.code == 1
    assert "unknown theme 'buurt'" in got.err
    assert answers(cli, folder) == answers(cli, folder, cache=False)
