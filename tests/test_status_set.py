"""`status set ID… STATUS`: several records at once, all or none, each file written once;
and an entry equal to the newest refused as a probable retry (`--again`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import test_folder
from tests.conftest import Runner
from tests.test_folder import KEY, snapshot
from wrrtrack import Registry
from wrrtrack._errors import InvalidChange, UnknownRecommendation

folder, two = test_folder.folder, test_folder.two  # the fixtures of a folder registry
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
