"""Every write is verified whole, and every new file is created whole and resumably.

A writer checks the lines it spliced by reading them back; that is not enough: the file
around them may read otherwise (a key YAML takes for a number, a line break YAML reads and
the splice did not, a block scalar that keeps the blank lines after it). So the new bytes
are read in full before any file is replaced or created, and only that reading is cached:
a write either leaves a file whose full reading is what the command said it did, or
changes no byte. New files (a report's file, `vocabularies.yaml`, a stored source, what
`init` writes) are linked into place finished, so a killed run leaves no empty or half
file, and running the command again completes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT, Runner
from tests.helpers import EXAMPLE, QUOTE
from wrrtrack import Registry, _edit, _index, _stamps
from wrrtrack._yamlfile import yaml_scalar

TODAY = "2026-11-27"
NUMBERS = ["2030", "123", "2024-01-01", "0x10", "0o17", "0b11", "1e3", "1-0"]
WORDS = ["yes", "no", "on", "off", "y", "n", "true", "null", "nan", "inf"]
BREAKS = ["\r", "\r\n", "\x85", "\u2028", "\u2029"]


def copy(tmp: Path, transform: object = None) -> Path:
    """A copy of the shipped registry and its sources, its text changed by `transform`."""
    shutil.copytree(ROOT / "data", tmp / "data")
    registry = tmp / "data" / "recommendations.yaml"
    if callable(transform):
        registry.write_bytes(transform(registry.read_text(encoding="utf-8")).encode("utf-8"))
    return registry


def full(registry: Path) -> Registry:
    return Registry.open(registry, use_cache=False, today=date.fromisoformat(TODAY))


def whole_or_nothing(cli: Runner, registry: Path, *args: str, quotes: bool = True) -> int:
    """Run a writer; it either changed the registry to one whose full re-read is valid
    (with `quotes`: `validate` passes, quotes and fingerprints included) and is what the
    cache holds, or said `error:` and changed no byte. Returns its exit code."""
    files = sorted(p for p in registry.parent.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    result = cli("-r", registry, *args)
    if result.code:
        assert result.err.startswith("error: "), result.err
        assert "Traceback" not in result.err
        after = {p: p.read_bytes() for p in sorted(registry.parent.rglob("*")) if p.is_file()}
        assert after == before, result.err
        return result.code
    if quotes:
        checked = cli("-r", registry, "--no-cache", "validate")
        assert checked.code == 0, (args, checked.err)
    cached = Registry.open(registry, today=date.fromisoformat(TODAY)).ledger
    assert cached == full(registry).ledger
    return 0


# --- keys and values that YAML would read as something else ---------------------------------


@pytest.mark.parametrize("key", NUMBERS + WORDS)
def test_a_key_yaml_reads_as_no_text_is_written_quoted(
    cli: Runner, tmp_path: Path, key: str
) -> None:
    registry = copy(tmp_path)
    args = ("vocab", "add", "themes", key, "--nl", "N", "--en", "N")
    assert whole_or_nothing(cli, registry, *args) == 0
    assert full(registry).vocabularies.themes.term(key).key == key
    # Quoted exactly when PyYAML would read the plain key as anything but this text.
    written = key if yaml.safe_load(key) == key else f'"{key}"'
    assert f"    {written}: {{nl: N, en: N}}" in registry.read_text()


@pytest.mark.parametrize("key", NUMBERS + WORDS)
def test_a_key_yaml_reads_as_no_text_is_written_quoted_in_a_new_file(
    cli: Runner, tmp_path: Path, key: str
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copytree(ROOT / "data" / "sources", folder / "sources")
    shutil.copyfile(ROOT / "data" / "recommendations.yaml", folder / "wrr-103.yaml")
    args = ("vocab", "add", "actors", key, "--nl", "N", "--en", "N")
    assert cli("-r", folder, *args).code == 0
    assert cli("-r", folder, "--no-cache", "validate").code == 0
    assert Registry.open(folder, use_cache=False).vocabularies.actors.term(key).key == key


@given(st.text(min_size=1, max_size=12))
def test_a_key_is_plain_only_when_the_resolver_reads_it_back_as_that_text(key: str) -> None:
    from wrrtrack._yamlfile import yaml_key

    written = yaml_key(key)
    if "\x00" in key or any(0xD800 <= ord(c) <= 0xDFFF for c in key):
        return  # no YAML text holds these
    assert yaml.safe_load(f"{written}: 1\n") == {key: 1}
    if not written.startswith('"'):
        assert yaml.safe_load(written) == key


@given(st.text(max_size=12))
def test_a_value_reads_back_as_that_text(value: str) -> None:
    if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return
    assert yaml.safe_load(f"k: {yaml_scalar(value)}\n") == {"k": value}
    assert yaml.safe_load(f"k: [{yaml_scalar(value, flow=True)}]\n") == {"k": [value]}


# --- layouts the splice must handle, or refuse --------------------------------------------


WRITES = [
    ("vocab", "add", "themes", "nieuw", "--nl", "Nieuw", "--en", "New"),
    ("vocab", "add", "actors", "nieuw", "--nl", "Nieuw", "--en", "New", "--report", "wrr-103"),
    ("status", "set", "wrr103-1", "uitgevoerd", "--note", "n", "--date", "2026-11-01"),
    ("add", "x-1", "--report", "wrr-103", "--title", "T", "--theme", "algemeen", "--stance",
     "onderschreven", "--actor", "rijk", "--date", "2024-01-01", "--by", "B", "--quote",
     "Het kabinet deelt ook de analyse dat gemeenten een belangrijke rol spelen, vanwege de "
     "grote variatie in de omvang en samenstelling van de bevolking tussen gemeenten."),
]  # fmt: skip


@pytest.mark.parametrize("newline", BREAKS)
@pytest.mark.parametrize("args", WRITES, ids=lambda args: " ".join(args[:2]))
def test_every_line_break_yaml_reads_is_kept(
    cli: Runner, tmp_path: Path, newline: str, args: tuple[str, ...]
) -> None:
    registry = copy(tmp_path, lambda text: text.replace("\n", newline))
    assert whole_or_nothing(cli, registry, *args) == 0
    text = registry.read_text(encoding="utf-8")
    others = [b for b in ["\r\n", *BREAKS] if b != newline and b not in newline]
    assert not any(b in text.replace(newline, "") for b in others)


EXPLICIT = {
    "    migratiebeleid: {nl: Migratiebeleid, en: Migration policy}": (
        "    ? migratiebeleid\n    : {nl: Migratiebeleid, en: Migration policy}"
    ),
    "    volgend-kabinet: {nl: volgend kabinet, en: next cabinet, aliases: [next-cabinet]}": (
        "    ? volgend-kabinet\n    : {nl: volgend kabinet, en: next cabinet, "
        "aliases: [next-cabinet]}"
    ),
}


def explicit(text: str) -> str:
    for plain, written in EXPLICIT.items():
        text = text.replace(plain, written)
    return text


@pytest.mark.parametrize("args", WRITES, ids=lambda args: " ".join(args[:2]))
def test_keys_written_in_explicit_form(cli: Runner, tmp_path: Path, args: tuple[str, ...]) -> None:
    registry = copy(tmp_path, explicit)
    assert whole_or_nothing(cli, registry, *args) == 0


def kept_note(text: str) -> str:
    """The last record's last history entry ends in a note that keeps its blank lines."""
    at = text.rindex("\n        note: ")
    text = text[:at] + text[text.index("\n", at + 1) :]  # its note, written last instead
    return text.rstrip("\n") + "\n        note: |+\n          Kept.\n\n\n"


def test_a_kept_block_scalar_before_a_new_document_keeps_its_text(
    cli: Runner, tmp_path: Path
) -> None:
    registry = copy(tmp_path, kept_note)
    note = full(registry).get("wrr103-7").history[-1].note
    assert note == "Kept.\n\n\n"
    for args in (
        ("vocab", "add", "themes", "nieuw", "--nl", "N", "--en", "N"),
        ("reports", "add", "vsd", "--title", "T", "--publisher", "P", "--date", "2024-11-05",
         "--reaction", "R", "--reaction-date", "2025-02-11", "--source-file", str(EXAMPLE)),
        ("vocab", "add", "actors", "college", "--nl", "C", "--en", "C", "--report", "vsd"),
        ("status", "set", "wrr103-7", "afgewezen", "--date", "2024-01-01"),
    ):  # fmt: skip
        assert whole_or_nothing(cli, registry, *args) == 0
        assert full(registry).get("wrr103-7").history[-2 if args[0] == "status" else -1].note == (
            note
        )


def test_vocab_add_for_a_report_after_a_kept_note_changes_no_other_value(
    cli: Runner, tmp_path: Path
) -> None:
    # The report's document has no vocabularies: they are made at its end, right after
    # a history note `|+` whose blank lines are its text.
    registry = copy(tmp_path)
    assert cli("-r", registry, "reports", "add", "vsd", "--title", "T", "--publisher", "P",
               "--date", "2024-11-05", "--reaction", "R", "--reaction-date", "2025-02-11",
               "--source-file", EXAMPLE).code == 0  # fmt: skip
    assert cli("-r", registry, "vocab", "add", "themes", "wijk", "--nl", "W", "--en", "W").code == 0
    assert cli("-r", registry, "add", "vsd-1", "--report", "vsd", "--title", "T", "--theme",
               "wijk", "--stance", "onderschreven", "--actor", "rijk", "--quote", QUOTE,
               "--date", "2025-02-11").code == 0  # fmt: skip
    text = registry.read_text()
    at = text.index("\n---\nvocabularies:")
    registry.write_text(text[:at] + "        note: |+\n          Kept.\n\n" + text[at:])
    assert full(registry).get("vsd-1").history[-1].note == "Kept.\n\n\n"
    args = ("vocab", "add", "actors", "college", "--nl", "C", "--en", "C", "--report", "vsd")
    assert whole_or_nothing(cli, registry, *args) == 0
    assert full(registry).get("vsd-1").history[-1].note == "Kept.\n\n\n"


def test_a_splice_the_full_reading_refutes_is_refused_and_not_cached(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the care for kept blank lines, the new document's blank line would join the
    # note: the full reading sees it, nothing is written, and the cache learns nothing.
    registry = copy(tmp_path, kept_note)
    monkeypatch.setattr(_edit, "_blank_before", lambda text, place: False)
    result = cli("-r", registry, "vocab", "add", "actors", "nieuw", "--nl", "N", "--en", "N",
                 "--report", "wrr-103")  # fmt: skip
    assert result.code == 0  # inside a mapping: no blank line is added
    before = registry.read_bytes()
    result = cli(*report_args(registry))
    assert result.code == 1
    assert result.err == (
        f"error: {registry}: the new text would read back with recommendation 'wrr103-7' "
        "changed; this change cannot be made in the file's layout without changing other "
        "content (write the part it touches in plain block style); the file is unchanged\n"
    )
    assert registry.read_bytes() == before
    assert not (registry.parent / "sources" / "vsd.txt").exists()
    assert cli("-r", registry, "validate").code == 0


# --- a property: every writer, every such layout ----------------------------------------


LAYOUTS = st.fixed_dictionaries(
    {
        "newline": st.sampled_from(["\n", *BREAKS]),
        "explicit": st.booleans(),
        "kept": st.booleans(),
        "folder": st.booleans(),
        "indexed": st.booleans(),  # written through the index (`write_by_index`, …)
    }
)
WRITERS = st.sampled_from(
    [
        *WRITES,
        ("vocab", "add", "themes", "2030", "--nl", "N", "--en", "N", "--report", "wrr-103"),
        ("vocab", "add", "stances", "no", "--nl", "N", "--en", "N"),
        ("status", "set", "wrr103-7", "afgewezen", "--note", "n", "--date", "2024-01-01"),
        ("sources", "update", "kst-36078-3"),
        ("reports", "add", "vsd", "--title", "T", "--publisher", "P", "--date", "2024-11-05",
         "--reaction", "R", "--reaction-date", "2025-02-11", "--source-file", str(EXAMPLE)),
    ]
)  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(layout=LAYOUTS, writes=st.lists(WRITERS, min_size=1, max_size=3))
def test_every_writer_gives_what_a_full_reading_gives(
    cli: Runner, layout: dict[str, object], writes: list[tuple[str, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:

        def shaped(text: str) -> str:
            text = kept_note(text) if layout["kept"] else text
            text = explicit(text) if layout["explicit"] else text
            return text.replace("\n", str(layout["newline"]))

        registry = copy(Path(tmp), shaped)
        if layout["folder"]:
            folder = registry.parent
            registry.rename(folder / "wrr-103.yaml")
            registry = folder
        sources = (registry if registry.is_dir() else registry.parent) / "sources"
        with (sources / "kst-36078-3.txt").open("a", encoding="utf-8") as handle:
            handle.write("\nEen regel erbij.\n")  # so that `sources update` has work to do
        with pytest.MonkeyPatch.context() as patch:
            if layout["indexed"]:
                patch.setattr(_index, "SMALLEST", 0)
                patch.setattr(_stamps, "now", lambda: time.time_ns() + 10 * _stamps.MARGIN)
                assert cli("-r", registry, "list").code == 0  # builds the index
            for args in writes:
                if whole_or_nothing(cli, registry, *args, quotes=False):  # never the layout
                    assert "layout" not in cli("-r", registry, *args).err
            assert full(registry).ledger == Registry.open(registry).ledger
            if layout["indexed"]:
                command = ("list", "--format", "json")
                assert cli("-r", registry, *command) == cli("--no-cache", "-r", registry, *command)


# --- new files: whole, or not there; a cut-off run completed by running it again -------------


CRASHER = """
import os, sys
at, count = int(os.environ["CRASH_AT"]), [0]
def step():
    count[0] += 1
    if count[0] == at:
        os._exit(77)
def hooked(function):
    def run(*args, **kwargs):
        step()
        result = function(*args, **kwargs)
        step()
        return result
    return run
for name in ("write", "link", "rename", "replace"):
    setattr(os, name, hooked(getattr(os, name)))
from wrrtrack.cli import main
main(sys.argv[1:])
"""


def crashed(at: int, cwd: Path, *args: str | Path) -> int:
    """Run wrrtrack, killed (`os._exit`) right before or after its `at`-th write of bytes,
    link, rename or replace (of any file, the cache's too); returns its exit code (77:
    killed)."""
    env = {**os.environ, "CRASH_AT": str(at), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CRASHER, *map(str, args)],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


def no_half_files(top: Path) -> None:
    """Every registry file below `top` reads as YAML; no stored source is empty."""
    for path in top.rglob("*"):
        if path.suffix in (".yaml", ".yml") and not path.name.startswith("."):
            assert path.read_bytes().strip(), path
            yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if path.parent.name == "sources" and not path.name.startswith("."):
            assert path.stat().st_size > 0, path


def report_args(registry: Path) -> tuple[str | Path, ...]:
    return ("-r", registry, "reports", "add", "vsd", "--title", "T", "--publisher", "P",
            "--date", "2024-11-05", "--reaction", "R", "--reaction-date", "2025-02-11",
            "--source-file", EXAMPLE)  # fmt: skip


def vocab_args(registry: Path) -> tuple[str | Path, ...]:
    return ("-r", registry, "vocab", "add", "actors", "college", "--nl", "C", "--en", "C")


def done_report(registry: Registry) -> bool:
    return any(report.key == "vsd" for report in registry.reports)


def done_vocab(registry: Registry) -> bool:
    return "college" in registry.vocabularies.actors


@pytest.mark.parametrize("folder", [False, True], ids=["file", "folder"])
@pytest.mark.parametrize(
    ("command", "finished"),
    [(report_args, done_report), (vocab_args, done_vocab)],
    ids=["reports add", "vocab add"],
)
def test_a_writer_killed_at_any_write_leaves_a_valid_registry_and_a_retry_completes(
    cli: Runner, tmp_path: Path, folder: bool, command: object, finished: object
) -> None:
    assert callable(command)
    assert callable(finished)
    at = 1
    while True:
        work = tmp_path / f"run-{at}"
        work.mkdir()
        registry = copy(work)
        if folder:
            registry.rename(registry.parent / "wrr-103.yaml")
            registry = registry.parent
        code = crashed(at, work, *command(registry))
        no_half_files(work / "data")
        if code != 77:  # it ran to its end
            assert code == 0
            break
        assert cli("-r", registry, "--no-cache", "validate").code == 0
        complete = finished(full(registry))
        retry = cli(*command(registry))
        if complete:
            assert retry.code in (0, 1), retry.err
        else:
            assert retry.code == 0, (at, retry.err)
        assert finished(full(registry))
        assert cli("-r", registry, "--no-cache", "validate").code == 0
        at += 1
    assert at > 2  # it was killed at least before and after a write


@pytest.mark.parametrize("folder", [False, True], ids=["file", "folder"])
def test_init_killed_at_any_write_leaves_no_half_file_and_a_retry_completes(
    cli: Runner, tmp_path: Path, folder: bool
) -> None:
    at = 1
    flags = ("--folder",) if folder else ()
    while True:
        work = tmp_path / f"run-{at}"
        work.mkdir()
        code = crashed(at, work, "init", work, *flags)
        no_half_files(work)
        if code != 77:  # it ran to its end
            assert code == 0
            break
        configured = (work / "wrrtrack.toml").exists()
        retry = cli("init", work, *flags)
        if configured and code == 77:  # killed after its last file was in place
            assert retry.code == 1
            assert "exists already; nothing was created or changed" in retry.err
        else:
            assert retry.code == 0, (at, retry.err)
        registry = work / ("reports" if folder else "data/recommendations.yaml")
        assert cli("-r", registry, "--no-cache", "validate").code == 0
        at += 1
    assert at > 2


# --- a large folder without an index: the files a write needs, found by their text -------------


@pytest.fixture
def reports(cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of three report files (WRR 103 and two invented ones, made by hand so that
    they hold no sources) and its vocabularies, taken as large (`write_by_scan`)."""
    from tests.helpers import with_second_report

    monkeypatch.setattr(_index, "SMALLEST", 0)
    folder = tmp_path / "reports"
    shutil.copytree(ROOT / "data", folder)
    (folder / "recommendations.yaml").rename(folder / "wrr-103.yaml")
    with_second_report(cli, folder)
    assert cli("-r", folder, "vocab", "add", "themes", "extra", "--nl", "E", "--en", "E").code == 0
    for name in ("a", "b"):
        text = (folder / "voorbeeldstad-wijk.yaml").read_text(encoding="utf-8")
        text = text[: text.index("\nsources:")] + text[text.index("\nvocabularies:") :]
        text = text.replace("key: voorbeeldstad-wijk", f"key: vsd-{name}")
        text = text.replace("id: vsd-", f"id: {name}-vsd-")
        (folder / f"vsd-{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def scanned(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files each folder reading read (to spy on `write_by_scan`)."""
    from wrrtrack import _reading

    seen: list[list[str]] = []
    real = _reading.folder_reading

    def reading(folder: Path, files: object, today: date) -> object:
        seen.append(sorted(path.name for path, _ in files))  # type: ignore[attr-defined]
        return real(folder, files, today)  # type: ignore[arg-type]

    monkeypatch.setattr(_reading, "folder_reading", reading)
    return seen


def test_a_cold_write_reads_the_records_file_and_what_declares_for_all(
    cli: Runner, reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    twin = reports.parent / "twin"
    shutil.copytree(reports, twin)
    seen = scanned(monkeypatch)
    args = ("status", "set", "a-vsd-1", "wrr103-2", "vervallen", "--by", "p", "--date", TODAY)
    done = cli("--no-cache", "-r", reports, *args)
    assert done.code == 0, done.err
    # Not the other invented report's file; the shipped one holds sources: read too.
    assert seen[0] == ["vocabularies.yaml", "voorbeeldstad-wijk.yaml", "vsd-a.yaml", "wrr-103.yaml"]
    monkeypatch.undo()
    assert cli("--no-cache", "-r", twin, *args).code == 0
    for path in sorted(twin.glob("*.yaml")):
        assert (reports / path.name).read_bytes() == path.read_bytes()
    assert cli("-r", reports, "validate").code == 0


@pytest.mark.parametrize(
    "where",
    ["named in another file", "an id in another file too", "in no file"],
)
def test_a_cold_write_reads_the_whole_when_the_text_leaves_a_doubt(
    cli: Runner, reports: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    other = reports / "vsd-b.yaml"
    identifier = "a-vsd-1"
    if where == "named in another file":
        other.write_text(other.read_text().replace("title: Een", "title: Zie A-VSD-1, een"))
    elif where == "an id in another file too":
        other.write_text(other.read_text().replace("id: b-vsd-2", "id: a-vsd-1"))
    else:
        identifier = "a-vsd-9"
    seen = scanned(monkeypatch)
    done = cli("--no-cache", "-r", reports, "status", "set", identifier, "vervallen", "--by", "p")
    assert len(seen[0]) == 5  # the whole registry
    if where == "named in another file":
        assert done.code == 0, done.err
    else:
        assert done.code == 1
        assert "a-vsd-" in done.err


def test_an_id_spelt_with_an_escape_in_another_file_is_seen(
    cli: Runner, reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # YAML reads "\x61-vsd-1" as a-vsd-1: the bytes do not show it, so the whole is read.
    other = reports / "vsd-b.yaml"
    other.write_text(other.read_text().replace("id: b-vsd-2", 'id: "\\x61-vsd-1"'))
    seen = scanned(monkeypatch)
    done = cli("--no-cache", "-r", reports, "status", "set", "a-vsd-1", "vervallen", "--by", "p")
    assert len(seen[0]) == 5  # the whole registry, which refuses it
    assert done.code == 1
    assert "duplicate id 'a-vsd-1'" in done.err


PLAIN = "# a report\nformat: 1\n\nreport:\n  publisher: A\nvocabularies:\n  themes: {}\n"
PLAIN += "recommendations:\n  - id: a-1\n"


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        (PLAIN, True),
        (PLAIN.replace("\n", "\r\n"), True),
        (PLAIN + '"sources":\n  - id: s\n', False),
        (PLAIN + "sources :\n  - id: s\n", False),
        (PLAIN + "? sources\n: []\n", False),
        (PLAIN + "sources: []\n", False),
        (PLAIN.replace("\n", "\x85"), False),
        (PLAIN.replace("\n", "\r"), False),
        (PLAIN + "---\nvocabularies: {}\n", False),
        ("%YAML 1.1\n---\n" + PLAIN, False),
        ("{report: {publisher: A}, sources: []}\n", False),
        (PLAIN.replace("report:", "vocabularies:"), False),
    ],
)
def test_a_plain_report_file_is_told_by_its_top_level_lines(text: str, plain: bool) -> None:
    from wrrtrack._transaction import _plain

    assert _plain(text.encode("utf-8")) is plain
