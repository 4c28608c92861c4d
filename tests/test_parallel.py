"""A large folder registry read over the cores (`_parallel`): the same parse, the same
problems in the same places and order as the serial read, whatever the files hold and
however they are cut into chunks; a pool that cannot start or a worker that dies is a
serial read; a small folder starts no pool."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, SHIPPED, Runner
from tests.helpers import EXAMPLE, KEY, QUOTE, TODAY
from wrrtrack import Registry, _folder, _parallel, _reading
from wrrtrack._errors import RegistryInvalid

OTHER = "voorbeeldstad-tien"
THIRD = "voorbeeldstad-drie"
LARGE = 10**12  # MIN_BYTES that no test folder reaches: the serial read


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of four reports (WRR 103, three more with a record each, each with its
    stored source and a term of its own), and vocabularies for every report in a file of
    their own: what one file reads depends on what the others declare."""
    base = tmp_path_factory.mktemp("parallel") / "reports"
    base.mkdir()
    shutil.copytree(ROOT / "data" / "sources", base / "sources")
    shutil.copyfile(SHIPPED, base / "wrr-103.yaml")
    registry = Registry(base, use_cache=False)
    registry.add_term("themes", "wijkaanpak", nl="Wijk", en="Wijk", today=TODAY)
    for key in (KEY, OTHER, THIRD):
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


# Edits (file, old, new, whether the share of what files declare is still found without
# reading them): valid ones that make a file depend on another, and problems in every
# file, within a file and across files.
EDITS: list[tuple[str, bytes, bytes, bool]] = [
    # valid: a change that names another file's stored source
    (f"{OTHER}.yaml", f"source: {OTHER}\n".encode(), f"source: {KEY}\n".encode(), True),
    # valid: vocabularies for every report in a second document of a report's file
    (f"{THIRD}.yaml", b"recommendations:", b"recommendations:", True),
    # a duplicate id across files
    (f"{OTHER}.yaml", f"id: {OTHER}-1".encode(), f"id: {KEY}-1".encode(), True),
    # a term that is no longer declared, used in other files
    ("vocabularies.yaml", b"wijkaanpak:", b"wijkaanpek:", True),
    # an unknown theme
    (f"{KEY}.yaml", b"theme: wijkaanpak", b"theme: wijkaanpek", True),
    # a report's term declared differently by another report
    (f"{THIRD}.yaml", b"{nl: College,", b"{nl: Collega,", True),
    # a report's own term that another report uses without declaring it
    (f"{OTHER}.yaml", b"    college: {", b"    collega: {", True),
    # YAML that does not parse, in a file read after the others
    (f"{THIRD}.yaml", b"title: Eerste", b"title: [Eerste", True),
    # a byte that is not UTF-8
    (f"{KEY}.yaml", b"title: Eerste", b"title: Eerst\xff", True),
    # a duplicate source id across files
    (f"{OTHER}.yaml", f"  - id: {OTHER}\n".encode(), f"  - id: {KEY}\n".encode(), True),
    # a problem in the large file
    ("wrr-103.yaml", b"stance: onderschreven", b"stance: onderschreef", True),
    # a duplicate report key across files
    (f"{THIRD}.yaml", f"key: {THIRD}".encode(), f"key: {OTHER}".encode(), True),
    # evidence: a quote that is not in its source, a stored source changed since its
    # fingerprint (validate places both as the serial read does)
    (f"{KEY}.yaml", b"voor bewoners in", b"voor burgers in", True),
    (f"sources/{OTHER}.txt", b"", b"\n", True),
    # YAML the shares are not found in without reading it: the serial read must answer
    ("vocabularies.yaml", b"vocabularies:", b"vocabularies :", False),
    (f"{KEY}.yaml", b"sources:\n", b"? sources\n:\n", False),
]
SECOND_DOCUMENT = b"---\nvocabularies:\n  themes:\n    extra: {nl: Extra, en: Extra}\n"


def apply(folder: Path, edits: list[int]) -> bool:
    """Apply the edits; whether the shares can still be found without reading the files."""
    plain = True
    for n in edits:
        name, old, new, found = EDITS[n]
        data = (folder / name).read_bytes()
        if n == 1:
            data += SECOND_DOCUMENT
        elif old in data:
            data = data.replace(old, new, 1)
        else:
            continue
        (folder / name).write_bytes(data)
        plain = plain and found
    return plain


def serial(folder: Path) -> object:
    files = _folder.read(folder)
    reading = _reading.folder_reading(folder, files, TODAY)
    return reading.parsed or [(problem, str(problem)) for problem in reading.problems]


def read(folder: Path, *, use_cache: bool) -> object:
    try:
        return Registry(folder, use_cache=use_cache).read(today=TODAY)._parsed
    except RegistryInvalid as exc:
        return [(problem, str(problem)) for problem in exc.problems]


def answers(folder: Path, cache: Path) -> list[Any]:
    """What a read without the cache, a first read with an empty cache, and `validate`
    (with and without the cache) give."""
    shutil.rmtree(cache, ignore_errors=True)
    first = read(folder, use_cache=True)
    shutil.rmtree(cache, ignore_errors=True)
    validated = Registry(folder).validate(today=TODAY)
    shutil.rmtree(cache, ignore_errors=True)
    return [
        read(folder, use_cache=False),
        first,
        read(folder, use_cache=True),  # from what the first read stored
        Registry(folder, use_cache=False).validate(today=TODAY),
        validated,
    ]


def in_process(tasks: list[Any], count: int) -> list[Any]:
    """The pool's work done here, in order (the property test runs it hundreds of times)."""
    del count
    return [_parallel.read_chunk(task) for task in tasks]


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(st.integers(min_value=0, max_value=len(EDITS) - 1), max_size=3),
    cuts=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_the_read_over_the_cores_is_the_serial_read(
    template: Path, edits: list[int], cuts: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Valid folders and folders with problems in any file, read in chunks cut anywhere:
    the parse, or every problem with its place and in its order, as the serial read; and
    a valid folder is read over the cores (not only the serial read's answer by fallback)."""

    def chunks(files: list[tuple[Path, bytes]], count: int) -> list[list[int]]:
        del count
        found: list[list[int]] = [[0]]
        for i in range(1, len(files)):
            if cuts[i % len(cuts)]:
                found.append([])
            found[-1].append(i)
        return found

    monkeypatch.setattr(_parallel, "_run", in_process)
    monkeypatch.setattr(_parallel, "_chunks", chunks)
    monkeypatch.setattr(_parallel, "workers", lambda: 2)
    cache = Path(os.environ["WRRTRACK_CACHE_DIR"])
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "reports"
        shutil.copytree(template, folder)
        plain = apply(folder, edits)
        monkeypatch.setattr(_parallel, "MIN_BYTES", LARGE)
        expected = answers(folder, cache)
        assert expected[0] == serial(folder)
        monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
        assert answers(folder, cache) == expected
        spread = _parallel.parse(folder, _folder.read(folder), TODAY)
        valid = not isinstance(expected[0], list)
        assert (spread is not None) == (valid and plain)
        if spread is not None:
            assert spread == expected[0]


def test_a_real_pool_of_processes_reads_as_the_serial_read(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    apply(folder, [0, 1])
    expected = serial(folder)
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(_parallel, "workers", lambda: 2)
    started: list[int] = []
    real = _parallel._run

    def run(tasks: list[Any], count: int) -> list[Any] | None:
        started.append(count)
        return real(tasks, count)

    monkeypatch.setattr(_parallel, "_run", run)
    assert _parallel.parse(folder, _folder.read(folder), TODAY) == expected
    assert read(folder, use_cache=False) == expected
    assert started == [2, 2]


def test_spawned_processes_read_as_the_serial_read(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where processes are spawned, not forked (Windows, macOS): each worker imports what
    it needs, and the answer is the same."""
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(_parallel, "workers", lambda: 2)
    monkeypatch.setattr(_parallel, "start_method", lambda: "spawn")
    assert _parallel.parse(folder, _folder.read(folder), TODAY) == serial(folder)


def die(task: Any) -> None:
    os._exit(3)


@pytest.mark.parametrize("failure", ["OSError", "PermissionError", "worker dies"])
def test_a_pool_that_cannot_start_or_a_worker_that_dies_is_a_serial_read(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Runner, failure: str
) -> None:
    import concurrent.futures

    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    expected = serial(folder)
    before = cli("-r", folder, "--no-cache", "validate")
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(_parallel, "workers", lambda: 2)
    if failure == "worker dies":
        monkeypatch.setattr(_parallel, "read_chunk", die)
    else:
        error = {"OSError": OSError, "PermissionError": PermissionError}[failure]

        def refused(*args: object, **kwargs: object) -> None:
            raise error(38, "Function not implemented")

        monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refused)
    assert _parallel.parts(folder, _folder.read(folder), TODAY) is None
    assert read(folder, use_cache=False) == expected
    assert cli("-r", folder, "--no-cache", "validate") == before


def test_a_small_folder_or_one_core_starts_no_pool(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(tasks: list[Any], count: int) -> None:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(_parallel, "_run", refused)
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    assert not isinstance(read(folder, use_cache=False), list)  # under MIN_BYTES
    assert Registry(folder).validate(today=TODAY).ok
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(_parallel, "workers", lambda: 1)
    assert not isinstance(read(folder, use_cache=False), list)
    assert not _parallel.worth_it(_folder.read(folder)[:1], 8)  # one file
    assert _parallel.worth_it(_folder.read(folder), 2)


@pytest.mark.parametrize("edit", [n for n, (*_, found) in enumerate(EDITS) if not found])
def test_a_share_not_found_before_reading_means_the_serial_read(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: int
) -> None:
    """What a file declares for every report, written so that it is only found by reading
    the file: even when all the files are read together (so that the read succeeds), the
    share the full read finds is not the one each chunk was read after, and the serial
    read answers."""
    folder = tmp_path / "reports"
    shutil.copytree(template, folder)
    apply(folder, [edit])
    files = _folder.read(folder)
    monkeypatch.setattr(_parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(_parallel, "workers", lambda: 2)
    monkeypatch.setattr(_parallel, "_run", in_process)
    monkeypatch.setattr(_parallel, "_chunks", lambda files, count: [list(range(len(files)))])
    assert not isinstance(serial(folder), list)
    assert _parallel.parts(folder, files, TODAY) is None
    assert read(folder, use_cache=False) == serial(folder)


def test_processes_are_forked_only_where_no_other_thread_runs() -> None:
    """A spinner's thread may hold a lock (of stderr) that a forked child would inherit
    held: while one runs, workers are spawned."""
    import sys
    import threading

    expected = "fork" if sys.platform.startswith("linux") else "spawn"
    assert _parallel.start_method() == expected
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert _parallel.start_method() == "spawn"
    finally:
        stop.set()
        thread.join()
