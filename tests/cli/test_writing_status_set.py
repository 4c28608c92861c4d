"""`status set ID… STATUS`: several records at once, all or none, each file written once;
and an entry equal to the newest refused as a probable retry (`--again`); and for one
record, what it writes, says and refuses, and the source and author it records."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import helpers
from tests.conftest import Runner
from tests.helpers import KEY, snapshot
from wrrtrack import Registry
from wrrtrack._errors import InvalidChange, UnknownRecommendation

folder, two = helpers.folder, helpers.two  # the fixtures of a folder registry
SOURCE = "adviesraad-realisme-richtgetallen"
QUOTE = "Het kabinet verzocht eerder om dit advies."
SET = ("status", "set")
DAY = ("--date", "2026-11-01", "--by", "x")


@pytest.fixture(params=["file", "folder"])
def layout(request: pytest.FixtureRequest) -> Path:
    """The shipped registry as one file, or as a folder with a second report's file."""
    path: Path = request.getfixturevalue("registry" if request.param == "file" else "two")
    return path


def files_of(registry: Path) -> dict[str, str]:
    return snapshot(registry.parent if registry.is_file() else registry)


def test_several_ids_get_one_entry_each_with_one_message_each(cli: Runner, layout: Path) -> None:
    result = cli("-r", layout, *SET, "wrr103-1", "WRR103-2", "in-uitvoering", "--note", "Plan",
                 *DAY, "--source", "Kamerbrief 1")  # fmt: skip
    assert result.code == 0, result.err
    where = layout / "wrr-103.yaml" if layout.is_dir() else layout
    assert result.err == (
        f"wrr103-1: in-verkenning -> in-uitvoering (2026-11-01) in {where}\n"
        f"wrr103-2: in-verkenning -> in-uitvoering (2026-11-01) in {where}\n"
    )
    registry = Registry.open(layout)
    for identifier in ("wrr103-1", "wrr103-2"):
        entry = registry.get(identifier).history[-1]
        assert (entry.date.isoformat(), entry.status, entry.note, entry.by, entry.source) == (
            "2026-11-01", "in-uitvoering", "Plan", "x", "Kamerbrief 1",
        )  # fmt: skip
    assert cli("-r", layout, "validate").code == 0


def test_ids_in_two_files_of_a_folder_write_each_file_once(
    cli: Runner, two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack import _transaction

    replaced: list[Path] = []
    real = _transaction._replace
    monkeypatch.setattr(
        _transaction, "_replace", lambda path, data: (replaced.append(path), real(path, data))
    )
    before = snapshot(two)
    result = cli("-r", two, *SET, "wrr103-1", "vsd-1", "wrr103-2", "afgewezen", *DAY)
    assert result.code == 0, result.err
    assert sorted(replaced) == sorted([two / "wrr-103.yaml", two / f"{KEY}.yaml"])
    assert [line.split(" in ")[-1] for line in result.err.splitlines()] == [
        str(two / "wrr-103.yaml"), str(two / f"{KEY}.yaml"), str(two / "wrr-103.yaml"),
    ]  # fmt: skip
    after = snapshot(two)
    assert {k for k in after if after[k] != before[k]} == {"wrr-103.yaml", f"{KEY}.yaml"}
    assert [r.status for r in Registry.open(two).recommendations].count("afgewezen") >= 3
    assert cli("-r", two, "--no-cache", "validate").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("wrr103-1", "wrr103-99", "uitgevoerd"), "wrr103-99"),
        (("wrr103-1", "wrr103-6", "open"), "already has status 'open'; add --note"),
        (("wrr103-1", "WRR103-1", "uitgevoerd"), "a recommendation is given twice (ID)"),
        (("wrr103-1", "wrr103-7", "uitgevoerd", "--source", SOURCE, "--quote", QUOTE,
          "--quote", "Het kabinet verzocht nooit om dit advies."), "not in source"),
    ],
)  # fmt: skip
def test_one_refused_id_refuses_them_all_and_no_byte_changes(
    cli: Runner, layout: Path, args: tuple[str, ...], message: str
) -> None:
    if layout.is_dir():  # a record of the other file among them
        args = ("vsd-1", *args)
    before = files_of(layout)
    result = cli("-r", layout, *SET, *args, *DAY)
    assert result.code == 1, result.err
    assert message in result.err, result.err
    assert files_of(layout) == before


def test_the_library_takes_several_ids_and_one_id_as_before(registry: Path) -> None:
    reg = Registry(registry)
    updates = reg.set_statuses(["wrr103-1", "wrr103-2"], "afgewezen", by="x")
    assert [(u.before.id, u.before.status, u.after.status) for u in updates] == [
        ("wrr103-1", "in-verkenning", "afgewezen"),
        ("wrr103-2", "in-verkenning", "afgewezen"),
    ]
    assert all(u.path == registry for u in updates)
    assert reg.set_status("wrr103-4", "uitgevoerd", by="x").after.status == "uitgevoerd"
    with pytest.raises(UnknownRecommendation):
        reg.set_statuses(["wrr103-5", "nope"], "uitgevoerd", by="x")
    with pytest.raises(InvalidChange):
        reg.set_statuses([], "uitgevoerd", by="x")
    assert Registry.open(registry).get("wrr103-5").status != "uitgevoerd"


def test_an_entry_equal_to_the_newest_is_refused_as_a_retry(cli: Runner, layout: Path) -> None:
    args = ("wrr103-1", "in-uitvoering", "--note", "Plan", "--date", "2026-11-01")
    assert cli("-r", layout, *SET, *args, "--by", "A").code == 0
    before = files_of(layout)
    retry = cli("-r", layout, *SET, *args, "--by", "B")  # who records it does not matter
    assert retry.code == 1
    assert retry.err == (
        "error: wrr103-1: its newest entry (2026-11-01, in-uitvoering) is this one already, "
        "so this is probably a retry of a change that was written; add --again to record "
        "it a second time\n"
    )
    assert files_of(layout) == before
    other = cli("-r", layout, *SET, *args[:-1], "2026-11-02", "--by", "B")  # another day
    assert other.code == 0, other.err
    again = cli("-r", layout, *SET, *args[:-1], "2026-11-02", "--by", "B", "--again")
    assert again.code == 0, again.err
    history = Registry.open(layout).get("wrr103-1").history
    assert [e.date.isoformat() for e in history[-3:]] == [
        "2026-11-01", "2026-11-02", "2026-11-02",
    ]  # fmt: skip


def complete(registry: Path, words: str) -> list[str]:
    env = {**os.environ, "_WRRTRACK_COMPLETE": "complete_bash"}
    env["COMP_WORDS"] = f"wrrtrack --registry {registry} status set {words}"
    env["COMP_CWORD"] = str(len(env["COMP_WORDS"].split(" ")) - 1)
    done = subprocess.run(
        [sys.executable, "-m", "wrrtrack"], env=env, capture_output=True, text=True, check=False
    )
    return done.stdout.split()


def test_completion_offers_ids_first_then_ids_and_statuses(registry: Path) -> None:
    first = complete(registry, "")
    assert "wrr103-1" in first and "uitgevoerd" not in first
    later = complete(registry, "wrr103-1 wrr103-2 ")
    assert "wrr103-3" in later and "uitgevoerd" in later
    assert complete(registry, "wrr103-1 u") == ["uitgevoerd"]


# --- one record: what status set writes, says and refuses ------------------------------


def changed_lines(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    """The differences between two texts, line by line, as (kind, old lines, new lines)."""
    a, b = before.splitlines(), after.splitlines()
    return [
        (tag, a[i1:i2], b[j1:j2])
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes()
        if tag != "equal"
    ]


def item_lines(text: str, identifier: str) -> tuple[int, int]:
    """The 0-based line range [first, last) of one recommendation's block in the file."""
    lines = text.splitlines()
    first = lines.index(f"  - id: {identifier}")
    following = [i for i in range(first + 1, len(lines)) if lines[i].startswith("  - id: ")]
    return first, following[0] if following else len(lines)


def test_status_set_is_seen_by_show_history_report_and_validate(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_text(encoding="utf-8")
    result = cli(
        "-r",
        registry,
        "status",
        "set",
        "wrr103-3",
        "uitgevoerd",
        "--note",
        "Regeling gepubliceerd",
        "--date",
        "2026-11-01",
        "--by",
        "A. Jansen",
    )
    assert result.code == 0, result.err
    assert result.err == f"wrr103-3: in-uitvoering -> uitgevoerd (2026-11-01) in {registry}\n"
    item = cli("-r", registry, "show", "wrr103-3", "-f", "json").json()
    assert item["status"] == "uitgevoerd"
    assert item["updated"] == "2026-11-01"
    assert item["history"][-1] == {
        "date": "2026-11-01",
        "status": "uitgevoerd",
        "note": "Regeling gepubliceerd",
        "by": "A. Jansen",
        "source": None,
        "quotes": [],
        "cites": None,
        "relation": None,
    }
    history = cli("-r", registry, "status", "history", "wrr103-3").out
    assert history.endswith("2026-11-01\tuitgevoerd\tA. Jansen\tRegeling gepubliceerd\t\n")
    report = cli("-r", registry, "report").out
    assert "- **Stand per:** 2026-11-01" in report
    assert "| 2026-11-01 | uitgevoerd | Regeling gepubliceerd | A. Jansen |  |" in report
    assert cli("-r", registry, "validate").code == 0
    # Only the lines of wrr103-3 changed: its status line, and four lines added to its history.
    after = registry.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        ("replace", ["    status: in-uitvoering"], ["    status: uitgevoerd"]),
        (
            "insert",
            [],
            [
                "      - date: 2026-11-01",
                "        status: uitgevoerd",
                "        note: Regeling gepubliceerd",
                "        by: A. Jansen",
            ],
        ),
    ]
    first, last = item_lines(before, "wrr103-3")
    opcodes = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines()).get_opcodes()
    assert all(first <= i1 <= i2 <= last for tag, i1, i2, _, _ in opcodes if tag != "equal")


def test_same_status_needs_a_note(cli: Runner, registry: Path) -> None:
    before = registry.read_bytes()
    refused = cli(
        "-r", registry, "status", "set", "wrr103-5", "in-progress", "--date", "2026-01-05"
    )
    assert refused.code == 1
    assert refused.err == (
        "error: wrr103-5 already has status 'in-uitvoering'; "
        "add --note to record a note without a change of status\n"
    )
    assert registry.read_bytes() == before
    noted = cli(
        "-r",
        registry,
        "status",
        "set",
        "wrr103-5",
        "in-uitvoering",
        "--note",
        "Nog steeds",
        "--date",
        "2026-01-05",
        "--by",
        "x",
    )
    assert noted.code == 0
    assert noted.err.startswith("wrr103-5: note (2026-01-05)")


def test_status_set_defaults_by_to_git_user_name(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Git Gebruiker\n", encoding="utf-8")
    cli("-r", registry, "status", "set", "wrr103-6", "in-verkenning", "--date", "2026-02-01")
    item = cli("-r", registry, "show", "wrr103-6", "-f", "json").json()
    assert item["history"][-1]["by"] == "Git Gebruiker"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["wrr103-1", "klaar"], 2, "error: Invalid value for 'STATUS': unknown status 'klaar'"),
        (["wrr103-1", "open", "--date", "2021-02-30"], 2, "is not a real date"),
        (["wrr103-1", "open", "--date", "24-03-2021"], 2, "is not a real date"),
        (["wrr103-1", "open", "--date", "2999-01-01"], 1, "is in the future"),
        (["wrr103-1", "open", "--date", "2020-01-01"], 1, "before the newest history entry"),
        (["wrr103-9", "open"], 1, "no recommendation with id 'wrr103-9'"),
        (["wrr103-1", "open", "--note", " "], 1, "--note must be non-empty"),
    ],
)
def test_refused_status_set_changes_no_byte(
    cli: Runner, registry: Path, args: list[str], code: int, message: str
) -> None:
    before = registry.read_bytes()
    result = cli("-r", registry, "status", "set", *args)
    assert result.code == code
    assert result.err.startswith("error: ")
    assert message in result.err
    assert "Traceback" not in result.err
    assert registry.read_bytes() == before
    assert sorted(p.name for p in registry.parent.iterdir()) == ["recommendations.yaml", "sources"]


def test_status_set_records_the_source(cli: Runner, registry: Path) -> None:
    result = cli(
        "-r",
        registry,
        "status",
        "set",
        "wrr103-1",
        "in-uitvoering",
        "--date",
        "2026-03-01",
        "--by",
        "B. Bakker",
        "--source",
        "Kamerbrief 2026-0301: 'kader' & \"plan\"",
    )
    assert result.code == 0, result.err
    entry = cli("-r", registry, "show", "wrr103-1", "-f", "json").json()["history"][-1]
    assert entry == {
        "date": "2026-03-01",
        "status": "in-uitvoering",
        "note": None,
        "by": "B. Bakker",
        "source": "Kamerbrief 2026-0301: 'kader' & \"plan\"",
        "quotes": [],
        "cites": None,
        "relation": None,
    }


def test_by_defaults_to_the_user_name_of_the_registrys_own_repository(
    cli: Runner, registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    repo = registry.parent.parent
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "config", "user.name", "Repo Gebruiker"], check=True)
    (tmp_path / "gitconfig").write_text("[user]\n\tname = Globale Naam\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)  # somewhere else entirely
    assert cli("-r", registry, "status", "set", "wrr103-6", "vervallen").code == 0
    by = cli("-r", registry, "show", "wrr103-6", "-f", "json").json()["history"][-1]["by"]
    assert by == "Repo Gebruiker"
