"""What a new user meets first: `add` without `--report` in a registry of one report, an
empty registry (no "as of" day, "0 recommendations"), vocabularies named in the singular."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import helpers
from tests.conftest import SHIPPED, Result, Runner
from tests.helpers import KEY, add_report, snapshot, with_second_report
from wrrtrack import Registry
from wrrtrack._errors import InvalidChange

folder, two = helpers.folder, helpers.two  # the fixtures of a folder registry
QUOTE = Registry.open(SHIPPED).get("wrr103-1").quotes[0]


def add(cli: Runner, registry: Path, identifier: str) -> Result:
    return cli(
        "-r", registry, "add", identifier, "--title", "Nog een", "--theme", "algemeen",
        "--stance", "onderschreven", "--actor", "rijk", "--quote", QUOTE, "--by", "x",
    )  # fmt: skip


@pytest.mark.parametrize("layout", ["file", "folder"])
def test_add_needs_no_report_when_the_registry_has_one(
    cli: Runner, request: pytest.FixtureRequest, layout: str
) -> None:
    registry: Path = request.getfixturevalue("registry" if layout == "file" else "folder")
    result = add(cli, registry, "wrr103-99")
    assert result.code == 0, result.err
    where = registry / "wrr-103.yaml" if layout == "folder" else registry
    assert result.err == f"added wrr103-99 to report wrr-103 (open) in {where}\n"
    assert Registry.open(registry).get("wrr103-99").report == "wrr-103"


def test_add_without_report_in_a_registry_of_two_asks_which(cli: Runner, registry: Path) -> None:
    with_second_report(cli, registry)
    before = snapshot(registry.parent)
    result = add(cli, registry, "wrr103-99")
    assert (result.code, result.err) == (
        1, f"error: the registry holds 2 reports; name one with --report (wrr-103, {KEY})\n",
    )  # fmt: skip
    assert snapshot(registry.parent) == before


def test_the_rule_is_the_librarys_for_every_writer(cli: Runner, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "leeg", "--blank").code == 0
    empty = Registry.open(tmp_path / "leeg" / "data" / "recommendations.yaml")
    with pytest.raises(InvalidChange, match="no report yet") as refused:
        empty.ledger.only_report()
    assert refused.value.field == "report"
    assert Registry.open(SHIPPED).ledger.only_report().key == "wrr-103"


def test_an_empty_registry_is_as_of_no_day(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", tmp_path / "leeg", "--blank").code == 0
    monkeypatch.chdir(tmp_path / "leeg")
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "80")
    listed = cli("list")
    assert listed.code == 0
    assert "0001" not in listed.out
    assert listed.out.rstrip().splitlines()[-1].strip() == "0 van 0 aanbevelingen"
    validated = cli("validate")
    assert (validated.code, validated.out) == (
        0, "ok: data/recommendations.yaml: 0 reports, 0 recommendations\n",
    )  # fmt: skip
    assert Registry.open("data/recommendations.yaml").ledger.dated is None
    report = cli("report")
    assert (report.code, report.err) == (
        1, "error: the registry holds no report yet; add one with 'reports add'\n",
    )  # fmt: skip
    add_report(cli, Path("data/recommendations.yaml"))
    assert "stand per 2025-02-11" in cli("list").out  # the reaction's day, once there is one


@pytest.mark.parametrize("singular", ["actor", "stance", "status", "theme"])
def test_a_vocabulary_may_be_named_in_the_singular(
    cli: Runner, registry: Path, singular: str
) -> None:
    plural = "statuses" if singular == "status" else f"{singular}s"
    assert cli("-r", registry, "vocab", singular).out == cli("-r", registry, "vocab", plural).out
    added = cli("-r", registry, "vocab", "add", singular, "nieuw", "--nl", "Nieuw", "--en", "New")
    assert added.code == 0, added.err
    assert added.err.startswith(f"added nieuw to the registry's {plural} in ")
    assert "nieuw" in Registry.open(registry).vocabularies.by_section(plural).keys
    wrong = cli("-r", registry, "vocab", f"{singular}z")
    assert wrong.code == 2
    assert "is not one of 'actors', 'stances', 'statuses', 'themes'" in wrong.err
