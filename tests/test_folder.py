"""A registry that is a folder of YAML files: which files are read, problems placed in the
right file, the writers choosing (or creating) one file, the cache, the lock, discovery,
and attacks on the folder (FIFOs, links, directories, odd bytes)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import helpers
from tests.conftest import ROOT, SHIPPED, Result, Runner
from tests.helpers import EXAMPLE, KEY, QUOTE, add, snapshot
from wrrtrack import Registry, _cache
from wrrtrack._vocabulary import STATUSES

TODAY = date(2026, 11, 27)
FORK = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
folder, two = helpers.folder, helpers.two  # the fixtures of a folder registry


def add_report(cli: Runner, registry: Path, key: str = KEY) -> Result:
    return helpers.add_report(cli, registry, key, check=False)


# --- reading ---------------------------------------------------------------------------------


def test_a_folder_of_the_shipped_file_reads_as_the_file(
    cli: Runner, folder: Path, registry: Path
) -> None:
    for command in (["list"], ["show", "wrr103-7"], ["reports"], ["report"], ["sources"]):
        from_file = cli("-r", registry, *command)
        from_folder = cli("-r", folder, *command)
        assert from_folder.code == from_file.code == 0, from_folder.err
        assert from_folder.out == from_file.out, command
    assert cli("-r", folder, "export", "--format", "json").json() == (
        cli("-r", registry, "export", "--format", "json").json()
    )
    ok = cli("-r", folder, "validate")
    assert ok.out.startswith(f"ok: {folder}: 7 recommendations, 44 quotes")


def test_which_files_are_read(cli: Runner, two: Path) -> None:
    """`*.yaml` and `*.yml` directly in the folder, by name; hidden files, other names and
    files in folders below it are not registry files."""
    (two / "notes.txt").write_text("not yaml: [")
    (two / ".hidden.yaml").write_text("not yaml: [")
    (two / "sources" / "deeper.yaml").write_text("not yaml: [")
    (two / ".wrr-103.yaml.wrrtrack-tmp-1-abcdef01").write_text("not yaml: [")
    shutil.move(two / "wrr-103.yaml", two / "wrr-103.yml")
    listed = cli("-r", two, "reports")
    assert listed.code == 0, listed.err
    assert [line.split("\t")[0] for line in listed.out.splitlines()] == [KEY, "wrr-103"]
    assert cli("-r", two, "validate").code == 0


def test_problems_are_placed_in_their_own_file(cli: Runner, two: Path) -> None:
    text = (two / f"{KEY}.yaml").read_text()
    copy = text.replace(f"key: {KEY}", "key: kopie").replace("id: voorbeeldstad-wijk", "id: k")
    (two / "zz-kopie.yaml").write_text(copy)  # a copied report file: its record id is taken
    before = snapshot(two)
    result = cli("-r", two, "validate")
    assert result.code == 1
    line = copy.splitlines().index("  - id: vsd-1") + 1
    first = text.splitlines().index("  - id: vsd-1") + 1
    assert (
        f"error: {two / 'zz-kopie.yaml'}:{line}:5: duplicate id 'vsd-1' "
        f"(first on {two / (KEY + '.yaml')}:{first})\n"
    ) in result.err
    assert snapshot(two) == before


def test_a_report_key_names_one_report_across_files(cli: Runner, two: Path) -> None:
    text = (two / f"{KEY}.yaml").read_text()
    second = text.split("\nsources:")[0] + "\n"  # the same key, no records or sources
    (two / "a-copy.yaml").write_text(second)
    result = cli("-r", two, "validate")
    assert result.code == 1
    assert result.err.startswith(
        f"error: {two / KEY}.yaml:1:1: key: duplicate report key '{KEY}' "
        f"(first on {two / 'a-copy.yaml'}:1)"
    )


def test_a_key_with_two_meanings_across_files_is_a_problem(cli: Runner, two: Path) -> None:
    (two / "vocabularies.yaml").write_text(
        "vocabularies:\n  themes:\n    wijkaanpak: {nl: Wijken, en: Neighbourhoods}\n"
    )
    result = cli("-r", two, "validate")
    assert result.code == 1
    assert "vocabularies.themes.wijkaanpak: declared differently by" in result.err
    assert f"({two / 'vocabularies.yaml'}:3)" in result.err


def test_registry_vocabularies_in_any_file_serve_every_report(cli: Runner, two: Path) -> None:
    path = two / f"{KEY}.yaml"
    text = path.read_text()
    start = text.index("vocabularies:")
    end = text.index("recommendations:")
    path.write_text(text[:start] + text[end:])  # the report's own keys move out of its file
    (two / "0-shared.yaml").write_text(text[start:end])
    assert cli("-r", two, "validate").code == 0
    assert cli("-r", two, "list", "--theme", "wijkaanpak").out.startswith("vsd-1\t")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (os.mkfifo, "is a named pipe (FIFO), not a registry file"),
        (lambda p: p.symlink_to("/etc/passwd"), "is a symbolic link; a folder registry's"),
        (lambda p: p.mkdir(), "is a directory, not a registry file"),
        (lambda p: p.write_bytes(b""), "the registry file is empty"),
        (lambda p: p.write_bytes(b"key: x\n\xff\n"), "not UTF-8 text (byte 0xff)"),
        (lambda p: p.write_bytes(b"\xef\xbb\xbfkey: x\n"), "byte-order mark"),
        (lambda p: p.write_bytes(b"key: [\n"), "YAML syntax"),
    ],
    ids=["fifo", "link", "directory", "empty", "not-utf8", "bom", "syntax"],
)
@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and links")
def test_what_cannot_be_a_registry_file_is_refused_and_nothing_changes(
    cli: Runner, two: Path, make: object, message: str
) -> None:
    bad = two / "x.yaml"
    make(bad)  # type: ignore[operator]
    before = snapshot(two)
    for command in (["validate"], ["list"], ["status", "set", "vsd-1", "afgewezen"]):
        result = cli("-r", two, *command)
        assert result.code == 1, command
        assert result.err.startswith(f"error: {bad}:"), result.err
        assert message in result.err
        assert "Traceback" not in result.err
    assert add(cli, two, "vsd-9").code == 1
    assert snapshot(two) == before


def test_an_empty_folder_reads_as_empty_but_does_not_validate(cli: Runner, tmp_path: Path) -> None:
    """A check of a folder with no registry file (a wrong path) must not pass forever."""
    empty = tmp_path / "reports"
    empty.mkdir()
    (empty / "README.md").write_text("not a registry file\n", encoding="utf-8")
    (empty / "sources").mkdir()
    message = (
        f"no registry files in {empty} (a folder registry is its *.yaml and *.yml files); "
        "add a report with 'wrrtrack reports add', or name the folder that holds them"
    )
    checked = cli("-r", empty, "validate")
    assert (checked.code, checked.out) == (1, "")
    assert checked.err == f"error: {message}\nerror: 1 problem(s) in {empty}\n"
    as_json = cli("-r", empty, "validate", "--format", "json")
    assert as_json.code == 1
    assert [p["message"] for p in as_json.json()] == [message]
    assert cli("-r", empty, "list").code == 0
    assert add_report(cli, empty).code == 0
    assert sorted(p.name for p in empty.iterdir()) == ["README.md", "sources", f"{KEY}.yaml"]
    assert cli("-r", empty, "validate").code == 0


# --- writing ----------------------------------------------------------------------------------


def test_each_writer_changes_the_file_that_holds_what_it_changes(cli: Runner, two: Path) -> None:
    own = two / f"{KEY}.yaml"
    shipped = two / "wrr-103.yaml"
    cases = [
        (["status", "set", "wrr103-2", "uitgevoerd", "--note", "klaar"], shipped),
        (["status", "set", "vsd-1", "afgewezen"], own),
        (["vocab", "add", "actors", "wijkteam", "--nl", "Wijkteam", "--en", "Team",
          "--report", KEY], own),
        (["vocab", "add", "themes", "zorg", "--nl", "Zorg", "--en", "Care",
          "--report", "wrr-103"], shipped),
    ]  # fmt: skip
    for command, changed in cases:
        before = snapshot(two)
        result = cli("-r", two, *command)
        assert result.code == 0, result.err
        assert result.err.rstrip().endswith(f"in {changed}")
        after = snapshot(two)
        assert {k for k in after if after[k] != before.get(k)} == {changed.name}
    assert add(cli, two, "vsd-2").err == f"added vsd-2 to report {KEY} (open) in {own}\n"
    assert cli("-r", two, "validate").code == 0


def test_vocabularies_for_every_report_go_to_their_own_file(cli: Runner, two: Path) -> None:
    before = snapshot(two)
    first = cli("-r", two, "vocab", "add", "themes", "wonen", "--nl", "Wonen", "--en", "Housing")
    assert first.code == 0, first.err
    made = two / "vocabularies.yaml"
    assert first.err == f"added wonen to the registry's themes in {made}\n"
    assert made.read_text() == "vocabularies:\n  themes:\n    wonen: {nl: Wonen, en: Housing}\n"
    assert {k: v for k, v in snapshot(two).items() if k != made.name} == before
    second = cli("-r", two, "vocab", "add", "actors", "bewoners", "--nl", "Bewoners", "--en", "R")
    assert second.err.endswith(f"in {made}\n")
    assert "bewoners" in made.read_text()
    # The file that holds them is found by what it holds, not by its name.
    shutil.move(made, two / "algemeen.yaml")
    third = cli("-r", two, "vocab", "add", "themes", "zorg", "--nl", "Zorg", "--en", "Care")
    assert third.err.endswith(f"in {two / 'algemeen.yaml'}\n")
    assert not made.exists()
    taken = cli("-r", two, "vocab", "add", "themes", "zorg", "--nl", "Zorg", "--en", "Care")
    assert (taken.code, taken.err) == (1, "error: the theme 'zorg' exists already\n")


def test_reports_add_creates_its_file_and_refuses_an_existing_one(
    cli: Runner, folder: Path
) -> None:
    # A file by that name that holds something else: never replaced, nothing left behind.
    (folder / f"{KEY}.yaml").write_text(
        "vocabularies:\n  themes:\n    wonen: {nl: Wonen, en: Housing}\n"
    )
    before = snapshot(folder)
    refused = add_report(cli, folder)
    assert refused.code == 1
    assert refused.err == (
        f"error: {folder / KEY}.yaml exists already; nothing was created or changed\n"
    )
    assert snapshot(folder) == before
    (folder / f"{KEY}.yaml").unlink()
    made = add_report(cli, folder)
    assert made.code == 0, made.err
    assert made.err.startswith(f"added report {KEY} to {folder / KEY}.yaml; ")
    text = (folder / f"{KEY}.yaml").read_text()
    assert text.startswith(f"key: {KEY}\nreport:\n  publisher: Adviesraad Sociaal")
    assert (folder / "sources" / f"{KEY}.txt").read_bytes() == EXAMPLE.read_bytes()
    again = add_report(cli, folder)
    assert again.code == 1
    assert f"a report with key '{KEY}' exists already" in again.err


def test_a_refused_add_changes_no_byte(cli: Runner, two: Path) -> None:
    before = snapshot(two)
    assert add(cli, two, "wrr103-1").code == 1  # an id of another file
    assert add(cli, two, "vsd-3", "--theme", "onbekend").code == 1
    wrong = cli(
        "-r", two, "add", "vsd-4", "--report", KEY, "--title", "T", "--theme", "wijkaanpak",
        "--stance", "onderschreven", "--actor", "college", "--quote", "staat er niet in",
    )  # fmt: skip
    assert wrong.code == 1
    # A report's own key is not another report's.
    other = cli(
        "-r", two, "add", "wrr103-9", "--report", "wrr-103", "--title", "T", "--theme",
        "wijkaanpak", "--stance", "onderschreven", "--actor", "rijk", "--quote", "x",
    )  # fmt: skip
    assert other.code == 1
    assert snapshot(two) == before


def test_sources_update_changes_the_file_of_the_source(cli: Runner, two: Path) -> None:
    text = two / "sources" / f"{KEY}.txt"
    text.write_bytes(text.read_bytes() + b"\nEen zin erbij.\n")
    before = snapshot(two)
    assert cli("-r", two, "validate").code == 1
    result = cli("-r", two, "sources", "update", KEY)
    assert result.code == 0, result.err
    assert result.err.rstrip().endswith(f"in {two / KEY}.yaml")
    after = snapshot(two)
    assert {k for k in after if after[k] != before[k]} == {f"{KEY}.yaml"}
    assert cli("-r", two, "validate").code == 0


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="POSIX modes; root writes anyway"
)
def test_a_read_only_folder_is_read_and_not_written(cli: Runner, two: Path) -> None:
    before = snapshot(two)
    for path in (two, *two.iterdir()):
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        assert cli("-r", two, "list").code == 0
        refused = cli("-r", two, "status", "set", "vsd-1", "afgewezen")
        assert refused.code == 1
        assert refused.err.startswith("error: ")
        assert add_report(cli, two, "nog-een").code == 1
    finally:
        for path in (two, *two.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert snapshot(two) == before


# --- the cache, discovery and the hook --------------------------------------------------------


def test_the_cache_answers_for_the_names_and_bytes_of_all_files(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Registry.open(two)
    with monkeypatch.context() as patched:
        patched.setattr("wrrtrack._reading._parse", lambda *a: pytest.fail("parsed"))
        assert Registry.open(two).get("vsd-1").report == KEY
    calls = []
    parse = __import__("wrrtrack._reading", fromlist=["_parse"])._parse
    monkeypatch.setattr("wrrtrack._reading._parse", lambda *a: calls.append(1) or parse(*a))
    # The same bytes in the same order under another name: the places name the file.
    shutil.move(two / "wrr-103.yaml", two / "wrr-103.yml")
    assert Registry.open(two).validate().path == two
    assert calls == [1]
    quote = Registry.open(two)._parsed.quote_places[("wrr103-1", 0)]
    assert quote.path == two / "wrr-103.yml"
    # A write leaves the cache holding the new content.
    Registry.open(two).set_status("vsd-1", "afgewezen", today=TODAY)
    assert Registry.open(two).get("vsd-1").status == "afgewezen"
    assert calls == [1]
    entries = list(Path(os.environ["WRRTRACK_CACHE_DIR"]).glob("*.json"))
    assert all(_cache.ours(entry) for entry in entries)


def run_hook(directory: Path) -> subprocess.CompletedProcess[str]:
    """The pre-commit hook, run in `directory` as pre-commit runs it (no file names)."""
    return subprocess.run(
        [sys.executable, "-m", "wrrtrack.hook"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "WRRTRACK_REGISTRY"},
    )


def test_a_folder_is_found_by_its_configuration_and_the_environment(
    cli: Runner, two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (two.parent / "wrrtrack.toml").write_text('registry = "reports"\n')
    monkeypatch.chdir(two.parent)
    assert cli("validate").out.startswith("ok: reports: 2 reports, 8 recommendations")
    monkeypatch.chdir(two / "sources")
    assert cli("list", "--report", KEY).out.startswith("vsd-1\t")
    monkeypatch.setenv("WRRTRACK_REGISTRY", str(two))
    assert cli("status", "set", "vsd-1", "afgewezen").code == 0
    hook = run_hook(two.parent)
    assert (hook.returncode, hook.stderr) == (0, "")
    assert hook.stdout.startswith("ok: reports: 2 reports")
    (two / "bad.yaml").write_text("key: [\n")
    failed = run_hook(two.parent)
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: reports/bad.yaml:2:1: YAML syntax")


# --- concurrency ------------------------------------------------------------------------------


def _adder(folder: str, worker: int, calls: int) -> None:
    registry = Registry(Path(folder))
    for call in range(calls):
        if worker % 2:  # odd workers add to one report, even ones to the other
            registry.add(
                f"w{worker}-{call}", report=KEY, title="T", theme="wijkaanpak",
                stance="onderschreven", actors=["college"], quotes=[QUOTE], by="w",
                today=TODAY,
            )  # fmt: skip
        else:
            registry.add(
                f"w{worker}-{call}", report="wrr-103", title="T", theme="migratiebeleid",
                stance="onderschreven", actors=["rijk"], by="w", today=TODAY,
                quotes=["Het kabinet is het met de WRR eens"],
            )  # fmt: skip


def test_four_concurrent_writers_into_one_folder_lose_nothing(two: Path) -> None:
    quote = "Het kabinet is het met de WRR eens"
    assert quote in (two / "sources" / "kabinetsreactie-wrr-103.txt").read_text()
    workers = [FORK.Process(target=_adder, args=(str(two), w, 8)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * 4
    reopened = Registry.open(two, use_cache=False)
    ids = {rec.id for rec in reopened.recommendations}
    assert {f"w{w}-{c}" for w in range(4) for c in range(8)} <= ids
    assert len(ids) == 8 + 32
    assert reopened.validate().problems == []


# --- the property: any sequence of writes ------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of `two`, made once (by the API) and copied for each example."""
    base = tmp_path_factory.mktemp("folder") / "reports"
    base.mkdir()
    shutil.copytree(ROOT / "data" / "sources", base / "sources")
    shutil.copyfile(SHIPPED, base / "wrr-103.yaml")
    registry = Registry(base, use_cache=False)
    registry.add_report(
        KEY, title="Samen sterker", publisher="Adviesraad", date=date(2024, 11, 5),
        reaction="Collegebrief", reaction_date=date(2025, 2, 11), source_file=EXAMPLE,
        today=TODAY,
    )  # fmt: skip
    registry.add_term("actors", "college", nl="College", en="Executive", report=KEY, today=TODAY)
    registry.add_term("themes", "wijkaanpak", nl="Wijk", en="Wijk", report=KEY, today=TODAY)
    return base


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=8))
def test_any_sequence_of_writes_to_a_folder_gives_what_a_full_read_gives(
    template: Path, steps: list[int]
) -> None:
    """Adds to either report, status changes, and new keys for one report or for every
    report (the first creates `vocabularies.yaml`), in any order: after each, the folder
    validates, reading it again gives what the write worked out, and no file but the one
    written changed."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work) / "reports"
        shutil.copytree(template, folder)
        registry = Registry(folder, use_cache=False)
        for n, step in enumerate(steps):
            kind, index = divmod(step, 25)
            before = snapshot(folder)
            ledger = registry.read(today=TODAY).ledger
            report = (KEY, "wrr-103")[index % 2]
            if kind == 0:
                own = [r for r in ledger.recommendations if r.report == report]
                model = own[index % len(own)] if own else None
                registry.add(
                    f"new-{n}", report=report, title=f"Nieuw {n}",
                    theme=model.theme if model else "wijkaanpak",
                    stance=model.stance if model else "onderschreven",
                    actors=model.actors if model else ["college"],
                    quotes=model.quotes[:1] if model and model.quotes else [QUOTE],
                    by="p", today=TODAY,
                )  # fmt: skip
            elif kind == 1:
                rec = ledger.recommendations[index % len(ledger.recommendations)]
                status = STATUSES.keys[index % len(STATUSES.keys)]
                registry.set_status(rec.id, status, note=f"noot {n}", by="p", today=TODAY)
            else:
                owner = report if kind == 2 else None
                section = ("themes", "actors", "stances", "statuses")[index % 4]
                registry.add_term(
                    section, f"key-{n}", nl=f"Label {n}", en=f"label {n}", report=owner,
                    today=TODAY,
                )  # fmt: skip
            written = registry.written
            assert written is not None
            after = snapshot(folder)
            changed = {k for k in after if after[k] != before.get(k)}
            assert changed == {written.name}, (changed, written)
            assert set(before) <= set(after)
            again = Registry(folder, use_cache=False).read(today=TODAY)
            assert again._parsed == registry._parsed
            assert registry.validate(today=TODAY).problems == []


# --- init, and the one-file rule that the folder's writers share -----------------------------


def test_init_folder_makes_an_empty_or_a_wrr_103_folder_registry(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    blank = cli("init", "team", "--blank", "--folder")
    assert blank.code == 0, blank.err
    assert blank.err.startswith("created an empty folder registry team/reports and ")
    assert 'registry = "reports"\n' in (tmp_path / "team" / "wrrtrack.toml").read_text()
    assert list((tmp_path / "team" / "reports").iterdir()) == []
    copy = cli("init", "kopie", "--folder")
    assert copy.code == 0, copy.err
    assert copy.err.startswith(
        "created a folder registry kopie/reports holding a copy of the bundled registry, its "
        "source text and kopie/wrrtrack.toml\n"
    )
    reports = tmp_path / "kopie" / "reports"
    assert (reports / "wrr-103.yaml").read_bytes() == SHIPPED.read_bytes()
    monkeypatch.chdir(tmp_path / "kopie")
    assert cli("validate").out.startswith("ok: reports: 7 recommendations, 44 quotes")
    again = cli("init", ".", "--blank", "--folder")
    assert again.code == 1
    assert "exists already; nothing was created or changed" in again.err


def test_vocab_add_for_every_report_finds_their_document_after_a_report(
    cli: Runner, registry: Path
) -> None:
    """In one file, too: the registry's vocabularies after a report's document get the key
    (it used to go to the first report's own vocabulary)."""
    registry.write_text(
        registry.read_text() + "\n---\nvocabularies:\n  themes:\n    wonen: {nl: Wonen, en: H}\n"
    )
    result = cli("-r", registry, "vocab", "add", "themes", "zorg", "--nl", "Zorg", "--en", "C")
    assert result.code == 0, result.err
    assert registry.read_text().endswith(
        "    wonen: {nl: Wonen, en: H}\n    zorg: {nl: Zorg, en: C}\n"
    )
    listed = cli("-r", registry, "vocab", "list", "themes", "--format", "json")
    assert listed.code == 0


def test_vocab_add_when_another_writer_made_the_vocabularies_meanwhile(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two writers that both find no vocabularies for every report: the second, finding
    vocabularies.yaml made when it holds the lock, adds its key to it (it was refused)."""
    first = Registry(two, use_cache=False)
    other = Registry(two, use_cache=False)
    looked = first.read

    def look_then_another_writes(*, today: date | None = None) -> Registry:
        result = looked(today=today)
        other.add_term("actors", "raad", nl="gemeenteraad", en="council", today=TODAY)
        return result

    monkeypatch.setattr(first, "read", look_then_another_writes)
    first.add_term("actors", "bestuur", nl="bestuur", en="board", today=TODAY)
    assert (two / "vocabularies.yaml").read_text(encoding="utf-8") == (
        "vocabularies:\n"
        "  actors:\n"
        "    raad: {nl: gemeenteraad, en: council}\n"
        "    bestuur: {nl: bestuur, en: board}\n"
    )
    assert Registry.open(two, use_cache=False).validate(today=TODAY).problems == []


def test_vocab_add_names_a_vocabularies_file_that_holds_a_report(cli: Runner, two: Path) -> None:
    (two / f"{KEY}.yaml").rename(two / "vocabularies.yaml")
    before = snapshot(two)
    result = cli("-r", two, "vocab", "add", "actors", "raad", "--nl", "raad", "--en", "council")
    assert result.code == 1
    assert "vocabularies.yaml holds no vocabularies for every report" in result.err
    assert snapshot(two) == before


def test_output_never_replaces_or_adds_a_file_of_the_folder(cli: Runner, two: Path) -> None:
    before = snapshot(two)
    for command in (
        ["export", "--format", "toml", "--output", two / "wrr-103.yaml"],
        ["export", "--format", "json", "--output", two / "nieuw.yaml"],
        ["report", "--output", two / "status.yml"],
        ["schema", "--output", two / "schema.yaml"],
    ):
        result = cli("-r", two, *command)
        assert result.code == 1, command
        assert "would be read as a file of the registry" in result.err
    assert snapshot(two) == before
    assert cli("-r", two, "export", "--format", "json", "--output", two / "x.json").code == 0


def test_completion_offers_the_ids_of_every_file(two: Path) -> None:
    env = {**os.environ, "_WRRTRACK_COMPLETE": "complete_bash", "COMP_CWORD": "4"}
    env["COMP_WORDS"] = f"wrrtrack --registry {two} show v"
    done = subprocess.run(
        [sys.executable, "-m", "wrrtrack"], env=env, capture_output=True, text=True, check=False
    )
    assert "vsd-1" in done.stdout.split(), (done.stdout, done.stderr)
