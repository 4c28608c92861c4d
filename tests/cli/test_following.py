"""Following up: deadlines (`due`), review dates, final statuses, `list --overdue`,
`--due-before` and `--stale`, the report's overdue and stale sections, and whether a history
entry is a response to the advice or a related development (`relation`)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Runner
from wrrtrack import Registry, clock
from wrrtrack._errors import RegistryInvalid

TEXT = SHIPPED.read_text(encoding="utf-8")
TODAY = date(2026, 12, 7)
QUOTE = (
    "Het kabinet onderschrijft de conclusie van de WRR dat Nederland een dynamische "
    "migratiesamenleving geworden is."
)


def at(day: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock at noon (UTC) of `day`: today in the registry's zone is `day`."""
    stamp = datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC).timestamp()
    monkeypatch.setattr(time, "time", lambda: stamp)


def ids(out: str) -> list[str]:
    return out.split()


def add(cli: Runner, registry: Path, identifier: str, *more: str) -> None:
    result = cli(
        "-r", registry, "add", identifier, "--report", "wrr-103", "--title", "Een termijn",
        "--theme", "algemeen", "--stance", "toegezegd", "--actor", "rijk", "--quote", QUOTE,
        "--by", "A. Jansen", *more,
    )  # fmt: skip
    assert result.code == 0, result.err


# --- durations ----------------------------------------------------------------------------


def test_a_duration_counts_back_by_the_calendar() -> None:
    assert clock.ago(date(2026, 12, 7), "12m") == date(2025, 12, 7)
    assert clock.ago(date(2026, 3, 31), "1m") == date(2026, 2, 28)
    assert clock.ago(date(2028, 3, 31), "1M") == date(2028, 2, 29)
    assert clock.ago(date(2026, 12, 7), "90d") == date(2026, 9, 8)
    assert clock.ago(date(2026, 12, 7), "2y") == date(2024, 12, 7)
    for wrong in ("12", "m", "12w", "-3d", "1.5y", ""):
        with pytest.raises(ValueError, match="90d"):
            clock.ago(date(2026, 12, 7), wrong)


# --- list --stale, --overdue, --due-before -----------------------------------------------


def test_list_stale_12m_at_a_fixed_date(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    at("2026-07-01", monkeypatch)
    # The last entries: 3 on 2025-05-28, 6 on 2025-07-04, 4 and 5 on 2025-11-27, 1 and 2 on
    # 2026-02-23; 7 is implemented, a final status.
    result = cli("-r", SHIPPED, "list", "--stale", "12m", "--format", "ids")
    assert result.code == 0, result.err
    assert ids(result.out) == ["wrr103-3"]
    at("2026-11-26", monkeypatch)
    out = cli("-r", SHIPPED, "list", "--stale", "12m", "--format", "ids").out
    assert ids(out) == ["wrr103-3", "wrr103-6"]
    at("2026-11-27", monkeypatch)  # exactly twelve months after the last entry of 4 and 5
    out = cli("-r", SHIPPED, "list", "--stale", "12m", "--format", "ids").out
    assert ids(out) == ["wrr103-3", "wrr103-4", "wrr103-5", "wrr103-6"]
    out = cli("-r", SHIPPED, "list", "--stale", "365d", "--actor", "gemeente", "-f", "ids").out
    assert ids(out) == ["wrr103-4"]


def test_a_bad_duration_is_a_usage_error_naming_the_forms(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "list", "--stale", "twelve")
    assert result.code == 2
    assert "'twelve' is not a duration" in result.err
    assert "90d (days), 12m (months), 2y (years)" in result.err
    assert "Traceback" not in result.err


def test_add_records_due_and_review_and_list_finds_the_overdue(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-12-07", monkeypatch)
    add(cli, registry, "t-1", "--due", "2026-06-30", "--review", "2027-03-01")
    add(cli, registry, "t-2", "--due", "2027-01-31")
    add(cli, registry, "t-3", "--due", "2026-01-31", "--status", "uitgevoerd")
    text = registry.read_text(encoding="utf-8")
    assert "    status: open\n    due: 2026-06-30\n    review: 2027-03-01\n    quotes:\n" in text
    assert ids(cli("-r", registry, "list", "--overdue", "-f", "ids").out) == ["t-1"]
    before = cli("-r", registry, "list", "--due-before", "2027-01-01", "-f", "ids").out
    assert ids(before) == ["t-1", "t-3"]  # a deadline, whatever the status
    items = {item["id"]: item for item in cli("-r", registry, "list", "--json").json()}
    assert (items["t-1"]["due"], items["t-1"]["review"]) == ("2026-06-30", "2027-03-01")
    assert (items["t-2"]["due"], items["t-2"]["review"]) == ("2027-01-31", None)
    assert (items["wrr103-1"]["due"], items["wrr103-1"]["review"]) == (None, None)
    shown = cli("-r", registry, "show", "t-1", "--lang", "en").out
    assert "  due      2026-06-30\n  review   2027-03-01\n" in shown
    at("2027-02-01", monkeypatch)
    assert ids(cli("-r", registry, "list", "--overdue", "-f", "ids").out) == ["t-1", "t-2"]
    assert Registry.open(registry).validate().ok


def test_a_deadline_before_the_report_is_refused_and_nothing_is_written(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_bytes()
    result = cli(
        "-r", registry, "add", "t-1", "--report", "wrr-103", "--title", "T", "--theme",
        "algemeen", "--stance", "toegezegd", "--actor", "rijk", "--quote", QUOTE,
        "--due", "2019-12-31",
    )  # fmt: skip
    assert result.code == 1
    assert result.err == (
        "error: the deadline --due 2019-12-31 is before report wrr-103 itself (2020-12-14)\n"
    )
    assert registry.read_bytes() == before
    wrong = cli("-r", registry, "add", "t-1", "--report", "wrr-103", "--title", "T",
                "--theme", "algemeen", "--stance", "toegezegd", "--actor", "rijk",
                "--quote", QUOTE, "--review", "2027-02-30")  # fmt: skip
    assert wrong.code == 2
    assert "'2027-02-30' is not a real date" in wrong.err
    assert registry.read_bytes() == before


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("    due: 2027-02-30\n", "t-1.due: 2027-02-30 is not a real calendar date"),
        (
            "    due: 2020-12-13\n",
            "t-1.due: 2020-12-13 is before the report's date (2020-12-14); "
            "a deadline follows the advice",
        ),
        ("    review: soon\n", "t-1.review: 'soon' is not a date in the form YYYY-MM-DD"),
    ],
)
def test_validate_checks_due_and_review(
    cli: Runner, registry: Path, line: str, problem: str
) -> None:
    add(cli, registry, "t-1")
    text = registry.read_text(encoding="utf-8")
    anchor = "    status: open\n    quotes:\n      - Het kabinet onderschrijft"
    registry.write_text(text.replace(anchor, anchor.replace("    quotes:", f"{line}    quotes:")),
                        encoding="utf-8")  # fmt: skip
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert problem in result.err


def test_a_deadline_may_lie_ahead_and_the_registry_reads_it_back(
    cli: Runner, registry: Path
) -> None:
    add(cli, registry, "t-1", "--due", "2099-12-31", "--review", "2099-01-01")
    assert cli("-r", registry, "validate").code == 0
    rec = Registry.open(registry).get("t-1")
    assert (rec.due, rec.review) == (date(2099, 12, 31), date(2099, 1, 1))
    cached = Registry.open(registry).get("t-1")  # read again: from the cache
    assert (cached.due, cached.review) == (rec.due, rec.review)


# --- final statuses -----------------------------------------------------------------------


def test_a_registry_names_its_own_final_status(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at("2026-12-07", monkeypatch)
    result = cli("-r", registry, "vocab", "add", "statuses", "ingetrokken", "--nl",
                 "ingetrokken", "--en", "withdrawn", "--final")  # fmt: skip
    assert result.code == 0, result.err
    assert "    ingetrokken: {nl: ingetrokken, en: withdrawn, final: true}\n" in registry.read_text(
        encoding="utf-8"
    )
    statuses = {
        t["key"]: t for t in cli("-r", registry, "vocab", "statuses", "--json").json()["statuses"]
    }
    assert [k for k, t in statuses.items() if t["final"]] == [
        "uitgevoerd", "afgewezen", "vervallen", "ingetrokken"
    ]  # fmt: skip
    stale = ids(cli("-r", registry, "list", "--stale", "12m", "-f", "ids").out)
    assert "wrr103-3" in stale  # its last entry: 2025-05-28
    # A final status dated long enough ago that the item would be stale still.
    withdrawn = cli("-r", registry, "status", "set", "wrr103-3", "ingetrokken", "--date",
                    "2025-06-01")  # fmt: skip
    assert withdrawn.code == 0, withdrawn.err
    assert "wrr103-3" not in ids(cli("-r", registry, "list", "--stale", "12m", "-f", "ids").out)
    refused = cli("-r", registry, "vocab", "add", "themes", "klaar", "--nl", "k", "--en", "k",
                  "--final")  # fmt: skip
    assert (refused.code, refused.err) == (1, "error: only a status can be final (--final)\n")


def test_a_built_in_final_status_declared_again_stays_final(registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    text = text.replace("  statuses:\n", "  statuses:\n    uitgevoerd: {nl: gedaan, en: done}\n", 1)
    if "  statuses:\n" not in registry.read_text(encoding="utf-8"):
        text = text.replace(
            "vocabularies:\n",
            "vocabularies:\n  statuses:\n    uitgevoerd: {nl: gedaan, en: done}\n",
            1,
        )
    registry.write_text(text, encoding="utf-8")
    vocab = Registry.open(registry).vocabularies
    assert vocab.statuses.term("uitgevoerd").final
    assert vocab.statuses.label("uitgevoerd", "nl") == "gedaan"


# --- relation: response or related --------------------------------------------------------


def test_the_shipped_later_entries_are_related(cli: Runner) -> None:
    ledger = Registry.open(SHIPPED).ledger
    assert [c.relation for rec in ledger.recommendations for c in rec.history[1:]] == [
        "related"
    ] * 18
    assert {rec.history[0].relation for rec in ledger.recommendations} == {None}
    history = cli("-r", SHIPPED, "show", "wrr103-2", "--json").json()["history"]
    assert [entry["relation"] for entry in history] == [None] + ["related"] * 4
    assert "    2022-01-01  in-verkenning (verwant)\n" in cli("-r", SHIPPED, "show", "wrr103-2").out
    english = cli("-r", SHIPPED, "show", "wrr103-2", "--lang", "en").out
    assert "    2022-01-01  in-verkenning (related)\n" in english


def test_status_set_related_or_response(cli: Runner, registry: Path) -> None:
    result = cli("-r", registry, "status", "set", "wrr103-6", "open", "--note", "Verwant",
                 "--date", "2026-11-01", "--by", "A. Jansen", "--related")  # fmt: skip
    assert result.code == 0, result.err
    assert (
        "      - date: 2026-11-01\n        status: open\n        relation: related\n"
        "        note: Verwant\n        by: A. Jansen\n"
    ) in registry.read_text(encoding="utf-8")
    cli("-r", registry, "status", "set", "wrr103-6", "in-verkenning", "--date", "2026-11-02",
        "--by", "A. Jansen", "--response")  # fmt: skip
    history = cli("-r", registry, "show", "wrr103-6", "--json").json()["history"]
    assert [entry["relation"] for entry in history] == [None] + ["related"] * 4 + ["response"]
    before = registry.read_bytes()
    both = cli("-r", registry, "status", "set", "wrr103-6", "open", "--note", "x",
               "--related", "--response")  # fmt: skip
    assert both.code == 2
    assert "give --related or --response, not both" in both.err
    assert registry.read_bytes() == before
    assert cli("-r", registry, "validate").code == 0


def test_the_api_refuses_an_unknown_relation(registry: Path) -> None:
    from wrrtrack import InvalidChange

    with pytest.raises(InvalidChange, match="'response' or 'related'"):
        Registry.open(registry).set_status("wrr103-6", "open", note="x", relation="verwant")


# --- the report ---------------------------------------------------------------------------


def test_the_report_lists_stale_items_and_counts_the_kinds_of_entry(cli: Runner) -> None:
    report = cli("-r", SHIPPED, "report").out
    assert "### Per soort vermelding\n\n| Soort vermelding | Aantal |\n| --- | ---: |\n" in report
    assert (
        "| verwante ontwikkeling | 18 |\n| niet aangegeven | 7 |\n| **Totaal** | **25** |\n"
        in report
    )
    assert "| 2022-01-01 | in verkenning | *(verwant)* Vanaf 1 januari 2022" in report
    assert "Termijn verstreken" not in report  # no deadlines: no section
    # As of the newest entry (2026-02-23) no item has gone twelve months without one.
    assert "Twaalf maanden of langer" not in report
    report = cli("-r", SHIPPED, "report", "--as-of", "2026-11-27").out  # 12 months after 4, 5
    section = report.split("## Twaalf maanden of langer zonder nieuwe vermelding\n")[1]
    section = section.split("\n## ")[0]
    assert [line.split("](")[0][3:] for line in section.splitlines() if line.startswith("| [")] == [
        "wrr103-3", "wrr103-4", "wrr103-5", "wrr103-6"
    ]  # fmt: skip
    # As of the reaction's day nothing is stale: the section is left out.
    early = cli("-r", SHIPPED, "report", "--as-of", "2021-06-01", "--lang", "en").out
    assert "No new entry for twelve months" not in early
    assert "By kind of entry" not in early  # only the reaction's entries, which say nothing


def test_the_report_lists_overdue_items_as_of_its_date(cli: Runner, registry: Path) -> None:
    add(cli, registry, "t-1", "--date", "2021-03-24", "--due", "2023-12-31")
    full = cli("-r", registry, "report", "--lang", "en").out
    overdue = full.split("## Past their deadline\n\n")[1].split("\n## ")[0]
    assert overdue.splitlines()[2:] == ["| [t-1](#t-1) | Een termijn | open | 2023-12-31 |"]
    assert "Past their deadline" not in cli("-r", registry, "report", "--as-of", "2023-12-31").out
    html = cli("-r", registry, "report", "--format", "html", "--lang", "en").out
    assert '<section id="overdue" aria-labelledby="overdue-h">' in html
    assert '<section id="stale" aria-labelledby="stale-h">' in html
    assert '<li><a href="#overdue">Past their deadline</a></li>' in html
    assert '<em class="relation">(related)</em> ' in html
    assert '<h3 id="by-relation">By kind of entry</h3>' in html
    summary = cli("-r", registry, "report", "--summary", "--lang", "en").out
    assert "| t-1 | open | 2023-12-31 |" in summary  # a summary leaves titles out


def test_a_report_without_deadlines_or_relations_has_no_such_sections(
    cli: Runner, registry: Path
) -> None:
    text = registry.read_text(encoding="utf-8").replace("        relation: related\n", "")
    registry.write_text(text, encoding="utf-8")
    report = cli("-r", registry, "report", "--as-of", "2022-12-22").out
    assert "Per soort vermelding" not in report
    assert "(verwant)" not in report


# --- exports ------------------------------------------------------------------------------


def test_every_export_carries_due_review_and_relation(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    add(cli, registry, "t-1", "--due", "2026-06-30", "--review", "2027-03-01")
    document = json.loads(cli("-r", registry, "export", "--format", "json").out)
    recs = {rec["id"]: rec for rec in document["recommendations"]}
    assert (recs["t-1"]["due"], recs["t-1"]["review"]) == ("2026-06-30", "2027-03-01")
    assert "due" not in recs["wrr103-1"]  # absent stays absent
    assert recs["wrr103-2"]["history"][1]["relation"] == "related"
    assert "relation" not in recs["wrr103-2"]["history"][0]
    toml = cli("-r", registry, "export", "--format", "toml").out
    assert "due = 2026-06-30\n" in toml
    assert 'relation = "related"\n' in toml

    out = cli("-r", registry, "export", "--format", "csv").out
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out, newline=""))}
    assert (rows["t-1"]["due"], rows["t-1"]["review"]) == ("2026-06-30", "2027-03-01")
    assert rows["wrr103-1"]["due"] == ""
    assert rows["t-1"]["latest_relation"] == ""  # its one entry says neither
    assert rows["wrr103-2"]["latest_relation"] == "related"
    assert (
        rows["wrr103-2"]["history"]
        .splitlines()[1]
        .startswith("2022-01-01 in-verkenning [related]: ")
    )

    db = tmp_path / "registry.db"
    assert cli("-r", registry, "export", "--format", "sqlite", "--output", db).code == 0
    connection = sqlite3.connect(db)
    try:
        found = dict(connection.execute("SELECT id, due FROM recommendations").fetchall())
        review = connection.execute("SELECT review FROM recommendations WHERE id = 't-1'")
        relations = connection.execute(
            "SELECT position, relation FROM history WHERE recommendation = 'wrr103-2'"
        ).fetchall()
        final = connection.execute("SELECT key FROM vocabulary_statuses WHERE final = 1")
        finals = [key for (key,) in final.fetchall()]
        assert (found["t-1"], found["wrr103-1"]) == ("2026-06-30", None)
        assert review.fetchone() == ("2027-03-01",)
        assert relations == [(1, None), (2, "related"), (3, "related"), (4, "related"),
                             (5, "related")]  # fmt: skip
        assert finals == ["uitgevoerd", "afgewezen", "vervallen"]
    finally:
        connection.close()


def test_an_export_of_a_registry_without_them_reads_back(cli: Runner, registry: Path) -> None:
    from wrrtrack._export import read_document

    document = json.loads(cli("-r", registry, "export", "--format", "json").out)
    terms = document["vocabularies"]["statuses"]["terms"]
    assert [term["key"] for term in terms if "final" in term] == [
        "uitgevoerd", "afgewezen", "vervallen"
    ]  # fmt: skip
    assert "final" not in json.dumps(document["vocabularies"]["actors"])  # only when set
    for term in terms:  # as an export made before `final`
        term.pop("final", None)
    ledger = read_document(document)
    assert ledger.vocabularies.statuses.term("uitgevoerd").final is False  # as it was written
    assert ledger.get("wrr103-2").history[1].relation == "related"


# --- the splice `edit --due/--review` will use --------------------------------------------


def test_set_field_sets_replaces_and_removes_one_line() -> None:
    from tests.helpers import assert_parse_is_a_full_read, document
    from wrrtrack import _edit

    doc = document()
    rec = doc.parsed.ledger.get("wrr103-3")
    doc, _, after = _edit.set_field(
        doc, rec._replace(review=date(2027, 1, 1)), "review", today=TODAY
    )
    doc, _, after = _edit.set_field(doc, after._replace(due=date(2026, 12, 31)), "due", today=TODAY)
    assert_parse_is_a_full_read(doc)
    assert (
        "    status: in-uitvoering\n    due: 2026-12-31\n    review: 2027-01-01\n    quotes:\n"
        in doc.text
    )
    doc, before, after = _edit.set_field(doc, after._replace(due=date(2027, 6, 30)), "due",
                                         today=TODAY)  # fmt: skip
    assert (before.due, after.due) == (date(2026, 12, 31), date(2027, 6, 30))
    assert_parse_is_a_full_read(doc)
    doc, _, after = _edit.set_field(doc, after._replace(due=None), "due", today=TODAY)
    assert_parse_is_a_full_read(doc)
    assert "    status: in-uitvoering\n    review: 2027-01-01\n    quotes:\n" in doc.text
    changed = [line for line in doc.text.splitlines() if line not in TEXT.splitlines()]
    assert changed == ["    review: 2027-01-01"]
    with pytest.raises(RegistryInvalid, match="before the report's date"):
        _edit.set_field(doc, after._replace(due=date(2019, 1, 1)), "due", today=TODAY)
    with pytest.raises(ValueError, match="changes due only"):
        _edit.set_field(doc, after._replace(due=date(2027, 1, 1), title="x"), "due", today=TODAY)


def test_validate_refuses_a_final_theme(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    theme = "    algemeen: {nl: Algemeen, en: General}\n"
    assert theme in text
    registry.write_text(
        text.replace(theme, "    algemeen: {nl: Algemeen, en: General, final: true}\n"),
        encoding="utf-8",
    )
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert "vocabularies.themes.algemeen.final: only a status can be final" in result.err
