"""`edit` and `remove` on the command line: what they change, say and refuse."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Runner
from tests.helpers import KEY, add, add_report, back_to_back
from wrrtrack.discover import bundled_registry

SEVEN = "wrr103-7"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` by its path, with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".lock" not in p.name
    }


def shown(cli: Runner, registry: Path, identifier: str) -> dict[str, object]:
    result = cli("-r", registry, "show", identifier, "--json")
    assert result.code == 0, result.err
    value: dict[str, object] = json.loads(result.out)
    return value


@pytest.fixture
def folder(cli: Runner, tmp_path: Path) -> Path:
    """A folder registry: the shipped report as `wrr-103.yaml`, and a second report in a
    file of its own with one record."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copytree(ROOT / "data" / "sources", reports / "sources")
    shutil.copyfile(SHIPPED, reports / "wrr-103.yaml")
    add_report(cli, reports)
    for args in (
        ("actors", "college", "--nl", "college van B en W", "--en", "municipal executive"),
        ("themes", "wijkaanpak", "--nl", "Wijkaanpak", "--en", "Neighbourhood approach"),
    ):
        assert cli("-r", reports, "vocab", "add", *args, "--report", KEY).code == 0
    assert add(cli, reports, "vsd-1").code == 0  # type: ignore[attr-defined]
    return reports


def test_edit_changes_each_field_and_says_which(cli: Runner, registry: Path) -> None:
    before = registry.read_text(encoding="utf-8")
    result = cli(
        "-r", registry, "edit", "WRR103-2", "--title", "  Een nieuwe titel ", "--theme",
        "algemeen", "--stance", "welcomed", "--actor", "gemeente", "--actor", "ACVZ",
        "--quote", "Dit vraag om een nadere verkenning met gemeenten en bestaande ontvangstcentra.",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out == ""
    assert result.err == (
        f"changed the title, theme, stance, actors and quotes of wrr103-2 in {registry}\n"
    )
    rec = shown(cli, registry, "wrr103-2")
    assert (rec["title"], rec["theme"], rec["stance"], rec["actors"]) == (
        "Een nieuwe titel",
        "algemeen",
        "positief",
        ["gemeente", "acvz"],
    )
    assert rec["quotes"] == [
        "Dit vraag om een nadere verkenning met gemeenten en bestaande ontvangstcentra."
    ]
    after = registry.read_text(encoding="utf-8")
    # Only the record's own fields: the history (five entries) is as it was; three of the
    # four quotes went.
    assert after.count("\n") == before.count("\n") - 3
    assert after.split("  - id: wrr103-3")[1] == before.split("  - id: wrr103-3")[1]
    assert len(rec["history"]) == 5  # type: ignore[arg-type]
    assert cli("-r", registry, "validate").code == 0


def test_an_edit_that_changes_nothing_says_so_and_writes_nothing(
    cli: Runner, registry: Path
) -> None:
    before = snapshot(registry.parent)
    result = cli("-r", registry, "edit", SEVEN, "--actor", "acvz", "--actor", "rijk")
    assert (result.code, result.err) == (
        0,
        f"nothing to change: {SEVEN} already has those values\n",
    )
    assert snapshot(registry.parent) == before


def test_edit_without_an_option_is_a_usage_error(cli: Runner, registry: Path) -> None:
    before = snapshot(registry.parent)
    result = cli("-r", registry, "edit", SEVEN)
    assert result.code == 2
    assert result.err.startswith("error: give at least one field to change: --title, ")
    assert snapshot(registry.parent) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--theme", "wonen"], "error: unknown theme 'wonen'; valid: "),
        (["--actor", "niemand"], "error: unknown actor 'niemand'; valid: "),
        (["--actor", "rijk", "--actor", "Rijk"], "error: an actor is given twice (--actor)"),
        (["--quote", "Een zin die niet in de bron staat."], "error: wrr103-7: quote 1 is not"),
        (["--quote", "het kabinet"], "error: wrr103-7: quote 1 is 2 words"),
        (["--title", "   "], "error: --title must be non-empty, valid text"),
    ],
)
def test_a_refused_edit_changes_no_byte(
    cli: Runner, registry: Path, args: list[str], message: str
) -> None:
    before = snapshot(registry.parent)
    result = cli("-r", registry, "edit", SEVEN, *args)
    assert result.code == 1, result.err
    assert result.err.startswith(message), result.err
    assert snapshot(registry.parent) == before


def test_an_unknown_id_is_refused_by_both(cli: Runner, registry: Path) -> None:
    before = snapshot(registry.parent)
    for command in (["edit", "wrr103-77", "--title", "x"], ["remove", "wrr103-77"]):
        result = cli("-r", registry, *command)
        assert result.code == 1
        assert (
            result.err == "error: no recommendation with id 'wrr103-77'; did you mean wrr103-7?\n"
        )
    assert snapshot(registry.parent) == before


def test_a_quote_of_another_report_is_refused(cli: Runner, folder: Path) -> None:
    """Quotes are looked up in the source of the record's own report."""
    before = snapshot(folder)
    from tests.helpers import QUOTE

    result = cli("-r", folder, "edit", SEVEN, "--quote", QUOTE)
    assert result.code == 1
    assert "quote 1 is not in source 'wrr-samenvatting-kabinetsreactie'" in result.err
    # And a key another report keeps for itself is not one this record may use.
    result = cli("-r", folder, "edit", SEVEN, "--actor", "college")
    assert result.code == 1
    assert result.err.startswith("error: unknown actor 'college'")
    assert snapshot(folder) == before


HOSTILE = ["{x}", "{field}", "\\n \\x00 \\u2028", "yes", "2030", "- x", "# y", ": z", "'\"", "~"]


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_round_trips(cli: Runner, registry: Path, title: str) -> None:
    result = cli("-r", registry, "edit", SEVEN, "--title", title)
    assert result.code == 0, result.err
    assert shown(cli, registry, SEVEN)["title"] == title
    assert (
        cli("-r", registry, "--no-cache", "show", SEVEN, "--json").out
        == cli("-r", registry, "show", SEVEN, "--json").out
    )


def test_text_is_cleaned_as_add_cleans_it(cli: Runner, registry: Path) -> None:
    """White space around a text goes (`add` drops it too); a NUL cannot be stored."""
    assert cli("-r", registry, "edit", SEVEN, "--title", "  x y  ").code == 0
    assert shown(cli, registry, SEVEN)["title"] == "x y"
    from wrrtrack import InvalidChange, Registry

    before = snapshot(registry.parent)
    with pytest.raises(InvalidChange, match="'title' must be non-empty, valid text"):
        Registry.open(registry).edit(SEVEN, title="a\0b")
    assert snapshot(registry.parent) == before


def test_remove_takes_the_record_and_names_it(cli: Runner, registry: Path) -> None:
    before = registry.read_text(encoding="utf-8")
    start = before.index("  - id: wrr103-4\n")
    end = before.index("  - id: wrr103-5\n")
    result = cli("-r", registry, "remove", "WRR103-4")
    assert result.code == 0, result.err
    assert result.err == (
        'removed wrr103-4 ("Gemeenten waarborgen de sociale samenhang in wijken, samen met '
        'lokale partners; het Rijk zorgt voor de randvoorwaarden") of report wrr-103 from '
        f"{registry}; the file is not committed in git, so its old text is not kept "
        "anywhere\n"
    )
    assert registry.read_text(encoding="utf-8") == before[:start] + before[end:]
    assert cli("-r", registry, "show", "wrr103-4").code == 1
    assert cli("-r", registry, "validate").code == 0


@pytest.mark.parametrize("identifier", ["wrr103-1", "wrr103-7"])
def test_remove_first_and_last_of_records_back_to_back(
    cli: Runner, registry: Path, identifier: str
) -> None:
    registry.write_text(back_to_back(SHIPPED.read_text(encoding="utf-8")), encoding="utf-8")
    before = registry.read_text(encoding="utf-8")
    assert cli("-r", registry, "remove", identifier).code == 0
    after = registry.read_text(encoding="utf-8")
    assert len(after) < len(before)
    assert f"id: {identifier}\n" not in after
    assert "\n\n  - id:" not in after
    assert cli("-r", registry, "--no-cache", "validate").code == 0


def test_both_change_only_the_file_of_the_record_in_a_folder(cli: Runner, folder: Path) -> None:
    own, shipped = folder / f"{KEY}.yaml", folder / "wrr-103.yaml"
    for command, changed in (
        (["edit", "vsd-1", "--title", "Een vast aanspreekpunt"], own),
        (["edit", "wrr103-3", "--stance", "onderschreven"], shipped),
        (["remove", "wrr103-5"], shipped),
        (["remove", "vsd-1"], own),  # its only record: its list goes too
    ):
        before = snapshot(folder)
        result = cli("-r", folder, *command)
        assert result.code == 0, result.err
        assert f" {changed}" in result.err
        after = snapshot(folder)
        assert {k for k in after if after[k] != before.get(k)} == {changed.name}
    assert "recommendations:" not in own.read_text(encoding="utf-8")
    assert cli("-r", folder, "--no-cache", "validate").code == 0
    # A record can be added to the report again.
    assert add(cli, folder, "vsd-1").code == 0  # type: ignore[attr-defined]


def test_both_refuse_an_invalid_registry_and_change_no_byte(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8").replace("theme: algemeen", "theme: wonen", 1)
    registry.write_text(text, encoding="utf-8")
    before = snapshot(registry.parent)
    for command in (["edit", SEVEN, "--title", "x"], ["remove", SEVEN]):
        result = cli("-r", registry, *command)
        assert result.code == 1
        assert "unknown theme 'wonen'" in result.err
    assert snapshot(registry.parent) == before


def test_both_refuse_the_bundled_registry(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    bundled = bundled_registry()
    assert bundled is not None
    before = bundled.read_bytes()
    for command in (["edit", SEVEN, "--title", "x"], ["remove", SEVEN]):
        result = cli(*command)
        assert result.code == 1
        assert "wrrtrack init DIR" in result.err
    assert bundled.read_bytes() == before


def test_the_history_is_never_rewritten(cli: Runner, registry: Path) -> None:
    history = shown(cli, registry, SEVEN)["history"]
    assert cli("-r", registry, "edit", SEVEN, "--title", "Nieuw", "--stance", "positief").code == 0
    assert shown(cli, registry, SEVEN)["history"] == history
    assert cli("-r", registry, "edit", SEVEN, "--history", "x").code == 2


def test_edit_sets_and_replaces_the_deadline_and_review_date_one_line_each(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_text(encoding="utf-8")
    done = cli("-r", registry, "edit", "wrr103-6", "--due", "2027-03-31", "--review", "2027-01-15")
    assert done.code == 0, done.err
    assert "due and review of wrr103-6" in done.err
    record = shown(cli, registry, "wrr103-6")
    assert (record["due"], record["review"]) == ("2027-03-31", "2027-01-15")
    after = registry.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    due: 2027-03-31", "    review: 2027-01-15"]
    # A second edit replaces the line; a deadline before the report is refused, no byte changed.
    assert cli("-r", registry, "edit", "wrr103-6", "--due", "2027-06-30").code == 0
    assert shown(cli, registry, "wrr103-6")["due"] == "2027-06-30"
    kept = registry.read_bytes()
    refused = cli("-r", registry, "edit", "wrr103-6", "--due", "2019-01-01")
    assert refused.code == 1
    assert "--due 2019-01-01 is before report wrr-103" in refused.err
    assert registry.read_bytes() == kept
    assert cli("-r", registry, "validate").code == 0
    # With --title too: both kinds of line change in one write.
    both = cli(
        "-r", registry, "edit", "wrr103-6", "--title", "Nieuwe titel", "--review", "2028-01-01"
    )
    assert both.code == 0, both.err
    record = shown(cli, registry, "wrr103-6")
    assert (record["title"], record["review"]) == ("Nieuwe titel", "2028-01-01")


def test_remove_says_git_keeps_the_text_only_when_the_file_is_committed(
    cli: Runner, registry: Path
) -> None:
    import subprocess

    folder = registry.parent.parent
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "PATH": "/usr/bin:/bin"}
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "registry"],
    ):
        subprocess.run(["git", *args], cwd=folder, check=True, env=env)
    result = cli("-r", registry, "remove", "wrr103-7")
    assert result.code == 0, result.err
    assert result.err.endswith(f"from {registry}; git keeps the old text\n")
