"""`wrrtrack export`: JSON and TOML read back to the same model, CSV for spreadsheets,
SQLite for SQL tools; and every refusal leaves every file as it was."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHIPPED, Runner
from tests.helpers import TODAY
from tests.strategies import days, labels, ledgers, texts
from wrrtrack._errors import RegistryInvalid
from wrrtrack._export import read_document, report_key, to_document
from wrrtrack._model import Ledger, Source
from wrrtrack._registry import Registry
from wrrtrack.render import export


def shipped() -> Ledger:
    return Registry.open(SHIPPED).ledger


def test_the_shipped_report_has_the_key_wrr_103() -> None:
    assert report_key(shipped().report) == "wrr-103"


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_export_reads_back_to_the_registry_model(cli: Runner, registry: Path, fmt: str) -> None:
    # A history entry with every field, and one with none of the optional ones.
    cli("--registry", registry, "status", "set", "wrr103-3", "in-verkenning", "--note",
        "Nota \"één\"\nregel 2", "--by", "A. Jansen", "--source", "Brief 1", "--date",
        "2022-01-02")  # fmt: skip
    cli("--registry", registry, "status", "set", "wrr103-4", "uitgevoerd", "--date", "2023-05-06")
    result = cli("--registry", registry, "export", "--format", fmt)
    assert result.code == 0, result.err
    data = json.loads(result.out) if fmt == "json" else tomllib.loads(result.out)
    assert read_document(data) == Registry.open(registry).ledger


def test_toml_leaves_absent_values_out_and_reads_them_back_as_absent(cli: Runner) -> None:
    text = cli("--registry", SHIPPED, "export", "--format", "toml").out
    assert "null" not in text
    document = tomllib.loads(text)
    absent = 0
    for rec, written in zip(shipped().recommendations, document["recommendations"], strict=True):
        for change, table in zip(rec.history, written["history"], strict=True):
            for name in ("note", "by", "source"):
                assert (name in table) == (getattr(change, name) is not None)
                absent += name not in table
    assert absent > 0
    # TOML's own dates, not text: a spreadsheet or script gets a date.
    assert "date = 2021-03-24" in text


optional_texts = st.none() | texts
sources = st.builds(
    Source,
    id=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    file=texts,
    title=optional_texts,
    publisher=optional_texts,
    date=st.none() | days,
    kind=optional_texts,
    url=optional_texts,
    sha256=st.none() | st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
)


@st.composite
def ledgers_with_evidence(draw: st.DrawFn) -> Ledger:
    """Random registries with stored sources and quotes in history entries: every field
    the model has, absent values included."""
    ledger = draw(ledgers())
    recs = []
    for rec in ledger.recommendations:
        history = tuple(
            change._replace(quotes=tuple(draw(st.lists(texts, max_size=2))))
            for change in rec.history
        )
        recs.append(rec._replace(history=history))
    reports = tuple(
        report._replace(
            reaction=report.reaction._replace(url=draw(optional_texts), label=draw(labels)),
            context=tuple(draw(st.lists(texts))),
        )
        for report in ledger.reports
    )
    return ledger._replace(
        reports=reports,
        recommendations=tuple(recs),
        sources=tuple(draw(st.lists(sources, max_size=3))),
    )


@given(ledger=ledgers_with_evidence())
def test_json_and_toml_round_trip_random_registries(ledger: Ledger) -> None:
    assert read_document(json.loads(export.json_text(ledger))) == ledger
    assert read_document(tomllib.loads(export.toml_text(ledger))) == ledger


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger=ledgers())
def test_a_random_registry_file_round_trips(tmp_path: Path, ledger: Ledger) -> None:
    from wrrtrack._yamlfile import render_registry

    path = tmp_path / "r.yaml"
    path.write_text(render_registry(ledger), encoding="utf-8")
    read = Registry.open(path, today=TODAY).ledger
    assert read_document(json.loads(export.json_text(read))) == read == ledger


def test_the_export_has_every_part_of_the_registry() -> None:
    ledger = shipped()
    document = to_document(ledger)
    assert list(document) == [
        "wrrtrack_export",
        "reports",
        "vocabularies",
        "recommendations",
        "sources",
        "local",
    ]
    assert document["reports"][0]["key"] == "wrr-103"
    assert document["reports"][0]["reaction"]["source"] == ledger.report.reaction.source
    assert [r["id"] for r in document["recommendations"]] == [r.id for r in ledger.recommendations]
    assert all(r["report"] == "wrr-103" for r in document["recommendations"])
    assert set(document["vocabularies"]) == {"themes", "actors", "stances", "statuses"}
    assert document["recommendations"][1]["history"][1] == {
        "date": "2022-01-01",
        "status": "in-verkenning",
        "note": ledger.get("wrr103-2").history[1].note,
        "by": None,
        "source": "kst-36078-3",
        "quotes": [
            "Tot 1 januari 2022 zijn inburgeraars ingestroomd onder de Wi 2013, en daarmee zal "
            "het inburgeringsregime van deze wet nog zeker tot 2027 doorwerken."
        ],
        "relation": "related",
    }
    # Every stored source, with the fingerprint of its file.
    sources = {source["id"]: source for source in document["sources"]}
    assert len(sources) == len(ledger.sources) >= 6
    for source in sources.values():
        data = (SHIPPED.parent / source["file"]).read_bytes()
        assert source["sha256"] == hashlib.sha256(data).hexdigest()
    assert sources["kst-30995-104"]["date"] == "2024-10-17"


def damaged(change: Any) -> dict[str, Any]:
    document = to_document(shipped())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("wrrtrack_export"), "not a wrrtrack export"),
        (
            lambda d: d["recommendations"][1].pop("title"),
            "recommendations[2]: missing field 'title'",
        ),
        (lambda d: d["recommendations"][0].update(titel="x"), "unknown field 'titel'"),
        (
            lambda d: d["recommendations"][0]["history"][0].update(date="24-03-2021"),
            "recommendations[1].history[1].date: expected a date (YYYY-MM-DD), got text",
        ),
        (
            lambda d: d["reports"][0].update(number=103),
            "reports[1].number: expected text, got a number",
        ),
        (lambda d: d["recommendations"][0].update(report="x"), "must be the key of a report"),
        (lambda d: d.update(reports={}), "expected a list of reports"),
    ],
)
def test_a_damaged_export_is_refused_with_the_place(change: Any, message: str) -> None:
    with pytest.raises(RegistryInvalid, match=__import__("re").escape(message)):
        read_document(damaged(change))


# --- --report ------------------------------------------------------------------------------


def test_report_filter_takes_the_key_in_any_case(cli: Runner) -> None:
    whole = cli("--registry", SHIPPED, "export", "--format", "json").out
    assert cli("--registry", SHIPPED, "export", "--format", "json", "--report", "WRR-103").out == (
        whole
    )


def test_an_unknown_report_is_a_usage_error_listing_the_keys(cli: Runner) -> None:
    result = cli("--registry", SHIPPED, "export", "--format", "csv", "--report", "wrr-104")
    assert result.code == 2
    assert "unknown report 'wrr-104'; valid: wrr-103" in result.err
    assert result.out == ""


def test_a_filter_that_leaves_a_report_out_exports_none_of_its_records() -> None:
    document = to_document(shipped(), reports=["other"])
    assert document["reports"] == []
    assert document["recommendations"] == []


# --- CSV -----------------------------------------------------------------------------------

# Replacements in the record of wrr103-2: its title, and the note and author of its latest
# history entry (the one the CSV's latest_* columns show).
HOSTILE = {
    '"Een meer integrale ontvangst van alle nieuwkomers"': '"=HYPERLINK(\\"http://x\\")"',
    '        note: "De Adviesraad': '        note: "+1\\n-2\\r@3 ëé De Adviesraad',
    "        by: redactie wrrtrack\n        source: adviesraad-wethouders-2026\n": (
        '        by: "\\tTab"\n        source: adviesraad-wethouders-2026\n'
    ),
}


def hostile_copy(registry: Path) -> Path:
    text = registry.read_text(encoding="utf-8")
    start = text.index("  - id: wrr103-2\n")
    end = text.index("  - id: wrr103-3\n")
    record = text[start:end]
    for old, new in HOSTILE.items():
        assert record.count(old) == 1, old
        record = record.replace(old, new)
    registry.write_text(text[:start] + record + text[end:], encoding="utf-8")
    return registry


def test_csv_with_bom_opens_with_accents_intact_and_no_formula(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    hostile_copy(registry)
    out = tmp_path / "export.csv"
    result = cli("--registry", registry, "export", "--format", "csv", "--bom", "--output", out)
    assert result.code == 0, result.err
    assert result.err == f"wrote {out}\n"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["id", "title", "theme", "stance", "actors", "status", "updated"]
    assert len(body) == len(Registry.open(registry).recommendations)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert "financiële" in by_id["wrr103-1"]["title"]
    assert by_id["wrr103-2"]["title"] == '\'=HYPERLINK("http://x")'
    assert by_id["wrr103-2"]["latest_note"].startswith("'+1\n'-2\r'@3 ëé De Adviesraad")
    assert by_id["wrr103-2"]["latest_by"] == "'\tTab"
    for row in body:
        for cell in row:
            for line in cell.replace("\r", "\n").split("\n"):
                assert not line.startswith(("=", "+", "-", "@", "\t")), cell


def test_csv_summarises_the_history_in_its_columns(cli: Runner, registry: Path) -> None:
    set_ = cli("--registry", registry, "status", "set", "wrr103-6", "in-verkenning", "--note",
               "Verkend", "--by", "A. Jansen", "--date", "2026-11-02")  # fmt: skip
    assert set_.code == 0, set_.err
    rows = list(csv.DictReader(cli("--registry", registry, "export", "--format", "csv").out
                               .splitlines(keepends=True)))  # fmt: skip
    row = next(r for r in rows if r["id"] == "wrr103-6")
    history = Registry.open(registry).get("wrr103-6").history
    by = "redactie wrrtrack"
    assert row["first_date"] == "2021-03-24"
    assert row["first_status"] == "open"
    assert row["updated"] == "2026-11-02"
    assert row["status"] == "in-verkenning"
    assert row["changes"] == "5"
    assert row["latest_note"] == "Verkend"
    assert row["latest_by"] == "A. Jansen"
    assert row["latest_source"] == ""
    assert row["history"].splitlines() == [
        f"2021-03-24 open: {history[0].note} (wrr-samenvatting-kabinetsreactie)",
        f"2022-07-07 open [related]: {history[1].note} (staat-van-migratie-2022)",
        f"2024-06-14 open [related]: {history[2].note} ({by}; staat-van-migratie-2024)",
        f"2025-07-04 open [related]: {history[3].note} ({by}; staat-van-migratie-2025)",
        "2026-11-02 in-verkenning: Verkend (A. Jansen)",
    ]


def test_csv_names_the_report_of_each_recommendation(cli: Runner, registry: Path) -> None:
    """With two reports, each row names its own (every row named the first report)."""
    from tests.helpers import with_second_report

    with_second_report(cli, registry)
    out = cli("--registry", registry, "export", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    listed = json.loads(cli("--registry", registry, "list", "--json").out)
    assert [(r["id"], r["report"]) for r in rows] == [(r["id"], r["report"]) for r in listed]
    assert {r["report"] for r in rows} == {"wrr-103", "voorbeeldstad-wijk"}


def test_without_bom_there_is_none_and_bom_is_only_for_csv(cli: Runner) -> None:
    assert not cli("--registry", SHIPPED, "export", "--format", "csv").out.startswith("\ufeff")
    assert cli("--registry", SHIPPED, "export", "--format", "csv", "--bom").out[0] == "\ufeff"
    result = cli("--registry", SHIPPED, "export", "--format", "json", "--bom")
    assert result.code == 2
    assert "only a CSV export has a byte-order mark" in result.err


# --- SQLite --------------------------------------------------------------------------------


def test_sqlite_has_a_row_per_record_with_keys_that_hold(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    out = tmp_path / "registry.db"
    result = cli("--registry", registry, "export", "--format", "sqlite", "-o", out)
    assert result.code == 0, result.err
    ledger = Registry.open(registry).ledger
    with sqlite3.connect(out) as db:
        count = lambda table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731, S608
        assert count("recommendations") == len(ledger.recommendations)
        assert count("history") == sum(len(r.history) for r in ledger.recommendations)
        assert count("quotes") == sum(len(r.quotes) for r in ledger.recommendations)
        assert count("actors") == sum(len(r.actors) for r in ledger.recommendations)
        assert count("reports") == 1
        assert count("report_context") == len(ledger.report.context)
        assert count("vocabulary_statuses") == len(ledger.vocabularies.statuses.terms)
        assert count("sources") == len(ledger.sources) >= 6
        assert count("history_quotes") == sum(
            len(c.quotes) for r in ledger.recommendations for c in r.history
        )
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        joined = db.execute(
            "SELECT r.id, s.en, h.date FROM recommendations r "
            "JOIN actors a ON a.recommendation = r.id "
            "JOIN vocabulary_statuses s ON s.key = r.status "
            "JOIN history h ON h.recommendation = r.id AND h.position = 2 "
            "WHERE a.actor = 'acvz'"
        ).fetchall()
        assert joined == [("wrr103-7", "implemented", "2022-12-22")]
        foreign = {
            (table, row[3], row[2])
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for row in db.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert ("history", "recommendation", "recommendations") in foreign
        assert ("actors", "actor", "vocabulary_actors") in foreign
        assert ("recommendations", "status", "vocabulary_statuses") in foreign
        assert ("history", "source_id", "sources") in foreign
        assert ("reports", "reaction_source_id", "sources") in foreign
        cited = db.execute(
            "SELECT s.publisher, q.text FROM history_quotes q "
            "JOIN sources s ON s.id = q.source_id WHERE q.recommendation = 'wrr103-6'"
        ).fetchall()
        assert cited == [
            (
                "Rijksoverheid",
                "De Staat van Migratie is de jaarlijkse rapportage over de volle breedte van "
                "migratie.",
            ),
            (
                "Rijksoverheid",
                "De vierde editie van de Staat van Migratie is door het kabinet op 14 juni 2024 "
                "naar de Tweede en Eerste Kamer gestuurd.",
            ),
            (
                "Rijksoverheid",
                "Het kabinet heeft de vijfde editie van de \u2018Staat van Migratie\u2019 aan de "
                "Tweede Kamer gezonden.",
            ),
        ]


def test_sqlite_holds_every_value_of_the_lossless_export(tmp_path: Path) -> None:
    """A field added to the model reaches the database too (as a column of its own)."""
    ledger = shipped()
    out = tmp_path / "r.db"
    out.write_bytes(export.sqlite_bytes(ledger))

    def leaves(value: Any) -> set[Any]:
        if isinstance(value, dict):
            return set().union(*map(leaves, value.values()))
        if isinstance(value, list):
            return set().union(set(), *map(leaves, value))
        return {value}

    with sqlite3.connect(out) as db:
        stored: set[Any] = set()
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in db.execute(f'SELECT * FROM "{table}"'):  # noqa: S608
                stored.update(row)
                stored.update(v for cell in row if isinstance(cell, str) and cell.startswith("[")
                              for v in json.loads(cell))  # fmt: skip
    document = to_document(ledger)
    document.pop("wrrtrack_export")
    for vocabulary in document["vocabularies"].values():
        vocabulary.pop("name")  # the table's name says it
    assert leaves(document) - {None} - stored == set()


def test_sqlite_needs_output_and_writes_nothing_without_it(cli: Runner, tmp_path: Path) -> None:
    for extra in ([], ["--output", "-"]):
        result = cli("--registry", SHIPPED, "export", "--format", "sqlite", *extra)
        assert result.code == 2
        assert "an SQLite database is a file: name it with --output FILE" in result.err
        assert result.out == ""


def test_an_existing_database_is_replaced_whole(cli: Runner, tmp_path: Path) -> None:
    out = tmp_path / "r.db"
    with sqlite3.connect(out) as db:
        db.execute("CREATE TABLE stale (x)")
    db.close()
    assert cli("--registry", SHIPPED, "export", "-f", "sqlite", "-o", out).code == 0
    with sqlite3.connect(out) as db:
        names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert "stale" not in names
    assert "recommendations" in names


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "toml", "csv", "sqlite"])
def test_export_never_overwrites_the_registry_or_its_source(
    cli: Runner, registry: Path, fmt: str
) -> None:
    source = registry.parent / "sources" / "kabinetsreactie-wrr-103.txt"
    before = {p: p.read_bytes() for p in (registry, source)}
    for target in before:
        result = cli("--registry", registry, "export", "--format", fmt, "--output", target)
        assert result.code == 1
        assert "--output would destroy it" in result.err
    assert {p: p.read_bytes() for p in before} == before


def test_export_refuses_a_fifo(cli: Runner, tmp_path: Path) -> None:
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = cli("--registry", SHIPPED, "export", "--format", "json", "--output", fifo)
    assert result.code == 1
    assert "FIFO" in result.err


def test_export_of_a_broken_registry_fails_with_its_place(cli: Runner, registry: Path) -> None:
    registry.write_text(registry.read_text(encoding="utf-8").replace("theme: algemeen", "theme: 1"))
    result = cli("--registry", registry, "export", "--format", "json")
    assert result.code == 1
    assert result.err.startswith(f"error: {registry}:")
    assert result.out == ""
