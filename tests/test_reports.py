"""Several advisory reports: the file format, the writers `reports add`, `add` and
`vocab add`, `--report`, `init --blank`, and what a single-report file keeps."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Runner
from wrrtrack import Registry

EXAMPLE = ROOT / "docs" / "examples" / "voorbeeldstad-reactie.txt"
KEY = "voorbeeldstad-wijk"
QUOTE = (
    "Het college neemt het advies over om in elke wijk één vast aanspreekpunt voor "
    "bewoners in te richten."
)


def digest(*paths: Path) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def add_report(cli: Runner, registry: Path, key: str = KEY) -> None:
    result = cli(
        "-r", registry, "reports", "add", key,
        "--title", "Samen sterker in de wijk",
        "--publisher", "Adviesraad Sociaal Domein Voorbeeldstad",
        "--date", "2024-11-05",
        "--reaction", "Collegebrief 2025-012",
        "--reaction-date", "2025-02-11",
        "--source-file", EXAMPLE,
    )  # fmt: skip
    assert result.code == 0, result.err


def add(cli: Runner, registry: Path, identifier: str, *extra: str, quote: str = QUOTE) -> object:
    return cli(
        "-r", registry, "add", identifier, "--report", KEY, "--title", "Een aanspreekpunt",
        "--theme", "wijkaanpak", "--stance", "onderschreven", "--actor", "college",
        "--quote", quote, "--by", "A. Jansen", *extra,
    )  # fmt: skip


@pytest.fixture
def second(cli: Runner, registry: Path) -> Path:
    """The shipped registry with a second (invented) report and two recommendations."""
    add_report(cli, registry)
    for args in (
        ("actors", "college", "--nl", "college van B en W", "--en", "municipal executive"),
        ("themes", "wijkaanpak", "--nl", "Wijkaanpak", "--en", "Neighbourhood approach"),
    ):
        assert cli("-r", registry, "vocab", "add", *args, "--report", KEY).code == 0
    assert add(cli, registry, "vsd-1").code == 0
    assert add(cli, registry, "vsd-2", "--status", "afgewezen").code == 0
    return registry


def test_the_single_report_file_of_today_reads_and_writes_as_before(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_bytes()
    assert before == SHIPPED.read_bytes()
    assert cli("-r", registry, "validate").out == cli("-r", SHIPPED, "validate").out.replace(
        str(SHIPPED), str(registry)
    )
    read = Registry.open(registry)
    assert [r.key for r in read.reports] == ["wrr-103"]  # derived: no `key:` in the file
    assert {rec.report for rec in read.recommendations} == {"wrr-103"}
    assert registry.read_bytes() == before  # reading changes nothing
    assert cli("-r", registry, "status", "set", "wrr103-3", "uitgevoerd", "--by", "x").code == 0
    after = registry.read_bytes()
    # Only the record's own lines changed: its status, and one history entry appended.
    old, new = Counter(before.decode().splitlines()), Counter(after.decode().splitlines())
    today = Registry.open(registry).get("wrr103-3").updated.isoformat()
    assert old - new == Counter(["    status: open"])
    assert new - old == Counter(
        [
            "    status: uitgevoerd",
            f"      - date: {today}",
            "        status: uitgevoerd",
            "        by: x",
        ]
    )


def test_reports_add_appends_a_document_and_changes_no_other_byte(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_bytes()
    add_report(cli, registry)
    after = registry.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        "\n---\n"
        f"key: {KEY}\n"
        "report:\n"
        "  publisher: Adviesraad Sociaal Domein Voorbeeldstad\n"
        "  title: Samen sterker in de wijk\n"
        "  date: 2024-11-05\n"
        "  reaction:\n"
        "    reference: Collegebrief 2025-012\n"
        "    date: 2025-02-11\n"
        f"    source: {KEY}\n"
        "sources:\n"
        f"  - id: {KEY}\n"
        "    title: Collegebrief 2025-012\n"
        "    date: 2025-02-11\n"
        f"    file: sources/{KEY}.txt\n"
        f"    sha256: {hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()}\n"
    )
    stored = registry.parent / "sources" / f"{KEY}.txt"
    assert stored.read_bytes() == EXAMPLE.read_bytes()
    assert cli("-r", registry, "validate").code == 0


def test_add_refuses_and_changes_no_byte(cli: Runner, second: Path) -> None:
    files = [second, *sorted((second.parent / "sources").iterdir())]
    before = digest(*files)
    not_in_source = add(cli, second, "vsd-9", quote="Het college opent in elke buurt een loket.")
    assert not_in_source.code == 1
    assert "nearest passage" in not_in_source.err
    assert not_in_source.err.endswith("nothing was written\n")
    duplicate = add(cli, second, "VSD-1")
    assert (duplicate.code, duplicate.err) == (
        1,
        "error: a recommendation with id 'VSD-1' exists already\n",
    )
    unknown_theme = cli(
        "-r", second, "add", "vsd-9", "--report", KEY, "--title", "T", "--theme", "wonen",
        "--stance", "positief", "--actor", "college", "--quote", QUOTE,
    )  # fmt: skip
    assert unknown_theme.code == 1
    assert unknown_theme.err.startswith("error: unknown theme 'wonen'; valid: wijkaanpak")
    # WRR 103's own theme is not the other report's to use.
    other_theme = add(cli, second, "vsd-9", "--theme", "migratiebeleid")
    assert other_theme.code == 1
    assert "unknown theme 'migratiebeleid'" in other_theme.err
    assert digest(*files) == before


def test_list_reports_and_report_on_both(cli: Runner, second: Path) -> None:
    assert cli("-r", second, "list", "-f", "ids").out.split() == [
        *(f"wrr103-{n}" for n in range(1, 8)),
        "vsd-1",
        "vsd-2",
    ]
    seven = cli("-r", second, "list", "--report", "wrr-103", "-f", "ids").out.split()
    assert seven == [f"wrr103-{n}" for n in range(1, 8)]
    assert cli("-r", second, "list", "--report", "nope").code == 2
    listed = cli("-r", second, "reports", "--json").json()
    assert [(r["key"], r["recommendations"]) for r in listed] == [("wrr-103", 7), (KEY, 2)]
    assert listed[1]["statuses"]["afgewezen"] == 1
    text = cli("-r", second, "report").out
    assert text.startswith("# Opvolging van 2 adviesrapporten\n")
    assert "\n## Opvolging WRR 103: Samenleven in verscheidenheid" in text
    assert "\n## Opvolging Adviesraad Sociaal Domein Voorbeeldstad: Samen sterker" in text
    only = cli("-r", second, "report", "--report", "wrr-103").out
    assert only == cli("-r", SHIPPED, "report").out  # one report: exactly its own report
    html = cli("-r", second, "report", "--format", "html")
    assert html.code == 2 and "--report KEY" in html.err


def test_vocab_add_refuses_collisions_and_other_meanings(cli: Runner, second: Path) -> None:
    before = digest(second)
    alias = cli("-r", second, "vocab", "add", "actors", "wijkteam", "--nl", "w", "--en", "w",
                "--alias", "college")  # fmt: skip
    assert alias.code == 1 and "already the key of actor 'college'" in alias.err
    relabel = cli("-r", second, "vocab", "add", "themes", "wijkaanpak", "--nl", "Wijken",
                  "--en", "Neighbourhoods", "--report", "wrr-103")  # fmt: skip
    assert relabel.code == 1 and "a key means the same in every report" in relabel.err
    assert digest(second) == before
    # The same key with the same labels: WRR 103 may use it too.
    same = cli("-r", second, "vocab", "add", "themes", "wijkaanpak", "--nl", "Wijkaanpak",
               "--en", "Neighbourhood approach", "--report", "wrr-103")  # fmt: skip
    assert same.code == 0, same.err
    assert cli("-r", second, "validate").code == 0


def test_two_labels_for_one_key_is_a_validate_error(cli: Runner, second: Path) -> None:
    text = second.read_text(encoding="utf-8")
    second.write_text(
        text.replace(
            "    migratiebeleid: {nl: Migratiebeleid, en: Migration policy}\n",
            "    migratiebeleid: {nl: Migratiebeleid, en: Migration policy}\n"
            "    wijkaanpak: {nl: Wijken, en: Neighbourhoods}\n",
        ),
        encoding="utf-8",
    )
    result = cli("-r", second, "validate")
    assert result.code == 1
    assert "vocabularies.themes.wijkaanpak: declared differently by report 'wrr-103'" in (
        result.err
    )


def test_init_blank_writes_a_registry_that_validates_and_grows(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", tmp_path / "nieuw", "--blank").code == 0
    registry = tmp_path / "nieuw" / "data" / "recommendations.yaml"
    monkeypatch.chdir(tmp_path / "nieuw")
    assert cli("validate").code == 0
    assert cli("list", "-f", "ids").out == ""
    before = registry.read_bytes()
    add_report(cli, registry)
    assert registry.read_bytes().startswith(before)
    assert cli("vocab", "add", "actors", "college", "--nl", "c", "--en", "c").code == 0
    assert cli("vocab", "add", "themes", "wijkaanpak", "--nl", "W", "--en", "W").code == 0
    assert add(cli, registry, "vsd-1").code == 0
    assert cli("validate").code == 0
    # Again into a directory that has it: nothing is overwritten.
    again = cli("init", tmp_path / "nieuw", "--blank")
    assert again.code == 1 and "exists already" in again.err


def test_a_refused_reports_add_leaves_no_copy_behind(cli: Runner, registry: Path) -> None:
    add_report(cli, registry)
    before = digest(registry)
    again = cli(
        "-r", registry, "reports", "add", "Voorbeeldstad-Wijk2",
        "--title", "T", "--publisher", "P", "--date", "2024-01-01",
        "--reaction", "R", "--reaction-date", "2024-02-01", "--source-file", EXAMPLE,
    )  # fmt: skip
    assert again.code == 1 and "KEY must be lower-case" in again.err
    taken = cli(
        "-r", registry, "reports", "add", KEY, "--title", "T", "--publisher", "P",
        "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
        "--source-file", EXAMPLE,
    )  # fmt: skip
    assert taken.code == 1 and "exists already" in taken.err
    assert digest(registry) == before
    stored = {p.name for p in (registry.parent / "sources").iterdir()}
    assert stored == {p.name for p in (SHIPPED.parent / "sources").iterdir()} | {f"{KEY}.txt"}


def test_a_report_without_number_or_key_is_a_validate_error(cli: Runner, registry: Path) -> None:
    shutil.copy(SHIPPED, registry)
    text = registry.read_text(encoding="utf-8").replace("  number: 103\n", "")
    registry.write_text(text, encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1 and "a report without a number needs a key" in result.err


def test_reports_table_at_a_terminal_names_each_report_once_at_40_columns(
    cli: Runner, second: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack.render import terminal
    from wrrtrack.render.machine import report_counts

    registry = Registry.open(second)
    table = terminal.reports_table(report_counts(registry.ledger), registry.vocabularies, width=40)
    shown = terminal.render([table], width=40)
    assert max(len(line) for line in shown.splitlines()) <= 40
    assert "Adviesraad Sociaal Domein Voorbeeldstad: Samen" in " ".join(shown.split())
    assert "open 1 · afgewezen 1" in " ".join(shown.split())


def test_a_source_file_that_is_a_device_or_missing_is_refused(cli: Runner, registry: Path) -> None:
    before = digest(registry)
    cases = [("nowhere.txt", "cannot read")]
    if sys.platform != "win32":  # Windows has no /dev
        cases.append(("/dev/zero", "is a device"))
    for path, message in cases:
        result = cli(
            "-r", registry, "reports", "add", "k", "--title", "T", "--publisher", "P",
            "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
            "--source-file", path,
        )  # fmt: skip
        assert result.code == 1 and message in result.err, result.err
    assert digest(registry) == before
    assert not (registry.parent / "sources" / "k.txt").exists()


def test_a_report_with_a_source_record_joins_a_file_written_before_them(
    cli: Runner, tmp_path: Path
) -> None:
    """A report document without a `sources` list names its source text by file; a report
    added to it gets a source record, and both are checked against their own text."""
    registry = tmp_path / "old.yaml"
    (tmp_path / "s.txt").write_text("Het kabinet neemt het advies over.\n", encoding="utf-8")
    registry.write_text(
        "format: 1\nreport:\n  publisher: WRR\n  number: 1\n  title: T\n  date: 2020-01-01\n"
        "  reaction:\n    reference: R\n    date: 2020-02-01\n    source: s.txt\n"
        "recommendations:\n  - id: r-1\n    title: T\n    theme: t\n    stance: positief\n"
        "    actors: [rijk]\n    status: open\n    quotes:\n"
        "      - Het kabinet neemt het advies over.\n"
        "    history:\n      - date: 2020-02-01\n        status: open\n"
        "vocabularies:\n  themes:\n    t: {nl: T, en: T}\n",
        encoding="utf-8",
    )
    add_report(cli, registry)
    result = cli("-r", registry, "validate")
    assert result.code == 0, result.err
    assert "2 reports, 1 recommendations, 1 quotes found in 1 sources" in result.out
    (tmp_path / "s.txt").write_text("Iets anders.\n", encoding="utf-8")
    broken = cli("-r", registry, "--no-cache", "validate")
    assert broken.code == 1 and "r-1: quote 1 is not in s.txt" in broken.err
