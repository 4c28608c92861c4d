"""A folder registry cached file by file (`_parts`): a change to one file re-parses that
file only, and whatever the cache holds, every read gives what a full read gives."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, SHIPPED
from tests.helpers import EXAMPLE, KEY, QUOTE, TODAY
from wrrtrack import Filter, Registry, _cache, _index, _schema, _stamps
from wrrtrack._errors import RegistryInvalid
from wrrtrack._vocabulary import STATUSES

OTHER = "voorbeeldstad-tien"  # as long as KEY: an edit in place can swap their ids


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of three reports (WRR 103, and two more with a record each) and the
    vocabularies for every report in a file of their own."""
    base = tmp_path_factory.mktemp("parts") / "reports"
    base.mkdir()
    shutil.copytree(ROOT / "data" / "sources", base / "sources")
    shutil.copyfile(SHIPPED, base / "wrr-103.yaml")
    registry = Registry(base, use_cache=False)
    registry.add_term("themes", "wijkaanpak", nl="Wijk", en="Wijk", today=TODAY)
    for key in (KEY, OTHER):
        registry.add_report(
            key, title="Samen sterker", publisher="Adviesraad", date=date(2024, 11, 5),
            reaction="Collegebrief", reaction_date=date(2025, 2, 11), source_file=EXAMPLE,
            today=TODAY,
        )  # fmt: skip
        registry.add_term(
            "actors", "college", nl="College", en="Executive", report=key, today=TODAY
        )
        registry.add(
            f"{key}-1", report=key, title="Eerste", theme="wijkaanpak", stance="onderschreven",
            actors=["college"], quotes=[QUOTE], by="p", today=TODAY,
        )  # fmt: skip
    return base


def full(folder: Path) -> object:
    """What a read without any cache gives: the parse, or the problems."""
    try:
        return Registry(folder, use_cache=False).read(today=TODAY)._parsed
    except RegistryInvalid as exc:
        return [str(problem) for problem in exc.problems]


def cached(folder: Path) -> object:
    try:
        return Registry(folder).read(today=TODAY)._parsed
    except RegistryInvalid as exc:
        return [str(problem) for problem in exc.problems]


def viewed(folder: Path, *, use_cache: bool = True) -> object:
    """What `list` and `show` see: every record, and each one by its id."""
    try:
        view = Registry(folder, use_cache=use_cache).view(today=TODAY)
        records = view.select(Filter())
        head = view.ledger._replace(recommendations=())
        return records, [view.get(rec.id.upper()) for rec in records], view.as_of, head
    except RegistryInvalid as exc:
        return [str(problem) for problem in exc.problems]


def whole_entries(cache: Path) -> list[Path]:
    return list(cache.glob("*.json"))


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Replace `old` by `new` (as long) in the file, keeping its size and times."""
    assert len(old) == len(new)
    info = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_a_change_to_one_file_re_parses_that_file_only(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    assert cached(folder) == full(folder)  # every file's entry written
    edit_in_place(folder / f"{KEY}.yaml", b"title: Eerste", b"title: Eersta")
    read: list[list[str]] = []
    real = _schema.read_files

    def spy(where: Path, files: list[tuple[Path, str]], today: date) -> _schema.Reading:
        read.append([path.name for path, _ in files])
        return real(where, files, today)

    monkeypatch.setattr(_schema, "read_files", spy)
    parsed = cached(folder)
    assert read == [[".wrrtrack-context.yaml", f"{KEY}.yaml"]]
    monkeypatch.setattr(_schema, "read_files", real)
    assert parsed == full(folder)
    assert Registry(folder).read(today=TODAY).ledger.get(f"{KEY}-1").title == "Eersta"


def test_a_problem_across_files_is_the_full_reads_problem(template: Path, tmp_path: Path) -> None:
    """An id that another file has too, a key with two meanings: the cached files do not
    hide them, and the message is the one a full read gives."""
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    assert cached(folder) == full(folder)
    edit_in_place(folder / f"{OTHER}.yaml", f"id: {OTHER}-1".encode(), f"id: {KEY}-1".encode())
    problems = full(folder)
    assert isinstance(problems, list)
    assert any("duplicate id" in problem for problem in problems)
    assert cached(folder) == problems
    edit_in_place(folder / f"{OTHER}.yaml", f"id: {KEY}-1".encode(), f"id: {OTHER}-1".encode())
    assert cached(folder) == full(folder)
    assert not isinstance(full(folder), list)


def test_an_entry_of_a_file_is_held_to_the_caches_rules(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    cache = Path(os.environ["WRRTRACK_CACHE_DIR"])
    assert cached(folder) == full(folder)
    entries = sorted((cache / _cache.FILES).iterdir())
    assert len(entries) == 4
    assert (cache / _cache.FILES).stat().st_mode & 0o777 == 0o700
    for entry in whole_entries(cache):
        entry.unlink()
    # A truncated entry, one that is a link to another, one with a changed byte: absent.
    entries[0].write_bytes(entries[0].read_bytes()[:100])
    entries[1].unlink()
    entries[1].symlink_to(entries[2])
    data = bytearray(entries[3].read_bytes())
    data[-3] ^= 1
    entries[3].write_bytes(bytes(data))
    assert cached(folder) == full(folder)
    assert "is a symbolic link" in capsys.readouterr().err
    # A directory of entries others can write to is not used.
    for entry in whole_entries(cache):
        entry.unlink()
    (cache / _cache.FILES).chmod(0o777)
    _cache._warned.clear()  # one warning per directory and process: this is another
    assert cached(folder) == full(folder)
    assert "can be written by other users" in capsys.readouterr().err


@settings(
    deadline=None, max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.integers(min_value=0, max_value=159), min_size=1, max_size=10))
def test_any_mix_of_writes_edits_and_lost_entries_reads_as_a_full_read(
    template: Path, steps: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes through the cache and the index, edits behind their back (same size, same
    times), vocabulary keys for one report or every report, and entries deleted or
    truncated between the steps: after each, a read with the cache, and `list` and `show`
    from the index, give exactly what a full read gives."""
    monkeypatch.setattr(_index, "SMALLEST", 0)  # the index of this small folder too
    # Stamps believed at once (as if hashed long after each change), so that only the
    # change time tells an edit behind the index's back.
    monkeypatch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "reports"
        shutil.copytree(template, folder)
        cache = Path(os.environ["WRRTRACK_CACHE_DIR"])
        shutil.rmtree(cache, ignore_errors=True)
        registry = Registry(folder)
        for n, step in enumerate(steps):
            kind, index = divmod(step, 20)
            report = (KEY, "wrr-103", OTHER)[index % 3]
            try:
                ledger = registry.read(today=TODAY).ledger
            except RegistryInvalid:
                ledger = None
            if kind == 0 and ledger is not None:
                registry.add(
                    f"new-{n}", report=(KEY, OTHER)[index % 2], title=f"Nieuw {n}",
                    theme="wijkaanpak", stance="onderschreven", actors=["college"],
                    quotes=[QUOTE], by="p", today=TODAY,
                )  # fmt: skip
            elif kind == 1 and ledger is not None:
                rec = ledger.recommendations[index % len(ledger.recommendations)]
                status = STATUSES.keys[index % len(STATUSES.keys)]
                registry.set_status(rec.id, status, note=f"noot {n}", by="p", today=TODAY)
            elif kind == 2 and ledger is not None:
                section = ("themes", "actors", "stances", "statuses")[index % 4]
                registry.add_term(
                    section, f"key-{n}", nl=f"Label {n}", en=f"label {n}",
                    report=report if index % 2 else None, today=TODAY,
                )  # fmt: skip
            elif kind == 3:  # an edit behind the cache's back: same size, same times
                name = f"{report}.yaml"
                old, new = ((b"title: ", b"title:\t"), (b"Eerste", b"Eersta"))[index % 2]
                if old in (folder / name).read_bytes():
                    edit_in_place(folder / name, old, new)
            elif kind == 4:
                shutil.rmtree(cache, ignore_errors=True)
            elif kind == 5:
                for entry in whole_entries(cache):
                    entry.unlink()
                if index % 2:
                    shutil.rmtree(cache / _index.PART, ignore_errors=True)
            elif kind == 6:  # an id another file has: a problem across files
                name = (f"{OTHER}.yaml", f"{KEY}.yaml")[index % 2]
                mine, other = (f"id: {OTHER}-1", f"id: {KEY}-1")[:: (1, -1)[index % 2]]
                if mine.encode() in (folder / name).read_bytes():
                    edit_in_place(folder / name, mine.encode(), other.encode())
            else:
                entries = sorted((cache / _cache.FILES).glob("*.json")) if cache.exists() else []
                for entry in entries[index % 3 :: 3]:
                    entry.write_bytes(entry.read_bytes()[: index * 10])
                for entry in whole_entries(cache) if cache.exists() else []:
                    entry.unlink()
            assert cached(folder) == full(folder), (n, step)
            assert viewed(folder) == viewed(folder, use_cache=False), (n, step)
