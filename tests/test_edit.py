"""The editing module: each operation changes only its part, reads it back, shifts the rest.

The shortcut (the parse worked out from the change) is always compared with the slow path
(a full read of the new text), and the bytes outside the change with the old text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import SHIPPED_TEXT as TEXT
from tests.helpers import TODAY as GUARANTEES_TODAY
from tests.helpers import assert_parse_is_a_full_read, back_to_back, document
from tests.strategies import ledgers
from wrrtrack import _edit, _places
from wrrtrack._errors import InvalidChange, RegistryInvalid, WrrtrackError
from wrrtrack._model import AdviceReport, Ledger, Reaction, Recommendation, StatusChange
from wrrtrack._places import Document, RecordLayout
from wrrtrack._vocabulary import Term
from wrrtrack._yamlfile import render_registry

TODAY = date(2026, 11, 27)


def only_inserted(before: str, after: str, at: int) -> str:
    """The text inserted at `at`, after checking that nothing else changed."""
    grown = len(after) - len(before)
    assert after[:at] == before[:at]
    assert after[at + grown :] == before[at:]
    return after[at : at + grown]


def new_record(identifier: str = "wrr103-8") -> Recommendation:
    seven = document().parsed.ledger.get("wrr103-7")
    return seven._replace(
        id=identifier,
        title="Een nieuwe aanbeveling: met een dubbele punt, en 'aanhalingstekens'",
        actors=("rijk", "gemeente"),
        status="open",
        history=(StatusChange(date(2026, 1, 5), "open", "Toegevoegd", "A. Jansen"),),
    )


def test_record_layout_is_known_to_the_places_and_editing_modules_only() -> None:
    root = Path(__file__).resolve().parent.parent / "src" / "wrrtrack"
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "RecordLayout" in path.read_text(encoding="utf-8")
    )
    assert users == ["_edit.py", "_places.py"]
    assert RecordLayout is _places.RecordLayout


def test_set_status_changes_only_the_record_and_shifts_the_rest() -> None:
    doc = document()
    change = StatusChange(date(2026, 2, 1), "uitgevoerd", "Klaar", "B")
    edited, before, after = _edit.set_status(doc, "wrr103-3", change, today=TODAY)
    assert (before.status, after.status) == ("in-uitvoering", "uitgevoerd")
    layout = doc.parsed.layouts["wrr103-3"]
    grown = len(edited.text) - len(doc.text)
    assert edited.text[: layout.start] == doc.text[: layout.start]
    assert edited.text[layout.end + grown :] == doc.text[layout.end :]
    assert_parse_is_a_full_read(edited)


def test_status_changes_of_records_back_to_back() -> None:
    """Records with no blank line between them: a record starts where the history of the
    one before it grows, and must move with it."""
    text = back_to_back(TEXT)
    assert "\n\n  - id: wrr103-2" not in text
    doc = document(text)
    for identifier in ("wrr103-1", "wrr103-2", "wrr103-1"):
        change = StatusChange(date(2026, 11, 1), "open", f"note on {identifier}", "B")
        doc, _, _ = _edit.set_status(doc, identifier, change, today=TODAY)
        assert_parse_is_a_full_read(doc)
    assert doc.parsed.ledger.get("wrr103-2").history[-1].note == "note on wrr103-2"


def test_append_record_adds_it_at_the_end_in_the_files_layout() -> None:
    doc = document()
    record = new_record()
    edited = _edit.append_record(doc, record, today=TODAY)
    inserted = only_inserted(doc.text, edited.text, doc.parsed.blocks["recommendations"].insert)
    # A blank line first: the file's records are separated by one.
    assert inserted.startswith("\n  - id: wrr103-8\n    title: ")
    assert "    actors: [rijk, gemeente]\n" in inserted
    assert "    history:\n      - date: 2026-01-05\n        status: open\n" in inserted
    assert edited.parsed.ledger.recommendations[-1] == record
    assert_parse_is_a_full_read(edited)
    # The next edits find their places: a status change of the new record and of the one
    # before it, whose history now ends where the new record begins.
    change = StatusChange(date(2026, 2, 1), "in-verkenning", None, "B")
    again, _, _ = _edit.set_status(edited, "wrr103-8", change, today=TODAY)
    assert_parse_is_a_full_read(again)
    change = StatusChange(date(2026, 2, 1), "vervallen", None, "B")
    again, _, _ = _edit.set_status(again, "wrr103-7", change, today=TODAY)
    assert_parse_is_a_full_read(again)
    assert again.parsed.ledger.get("wrr103-7").history[-1] == change
    assert again.parsed.ledger.recommendations[-1].id == "wrr103-8"


def test_append_record_refuses_a_duplicate_id_and_an_invalid_record() -> None:
    doc = document()
    with pytest.raises(InvalidChange, match="'wrr103-7' exists already") as info:
        _edit.append_record(doc, new_record("WRR103-7"), today=TODAY)
    assert info.value.field == "id"
    unknown_theme = new_record()._replace(theme="geen-thema")
    with pytest.raises(RegistryInvalid, match=r"wrr103-8\.theme: unknown theme 'geen-thema'"):
        _edit.append_record(doc, unknown_theme, today=TODAY)


def test_append_record_to_a_file_without_a_final_newline_and_with_crlf() -> None:
    for text in (TEXT.rstrip("\n"), TEXT.replace("\n", "\r\n")):
        edited = _edit.append_record(document(text), new_record(), today=TODAY)
        assert_parse_is_a_full_read(edited)
        if "\r\n" in text:
            assert "\n" not in edited.text.replace("\r\n", "")


def test_add_term_to_an_existing_section() -> None:
    doc = document()
    term = Term("sociaal-domein", "Sociaal domein, breed", "Social domain", ("social",))
    edited = _edit.add_term(doc, "themes", term, today=TODAY)
    inserted = only_inserted(doc.text, edited.text, doc.parsed.blocks["vocabularies.themes"].insert)
    assert inserted == (
        '    sociaal-domein: {nl: "Sociaal domein, breed", en: Social domain, aliases: [social]}\n'
    )
    assert edited.parsed.ledger.vocabularies.themes.resolve("social") == "sociaal-domein"
    assert_parse_is_a_full_read(edited)


def test_add_term_creates_the_section_and_the_vocabularies_mapping() -> None:
    term = Term("genoteerd", "genoteerd", "noted", ("noted",))
    # The section is missing: it is created at the end of `vocabularies`.
    edited = _edit.add_term(document(), "stances", term, today=TODAY)
    assert "    migratiebeleid: {nl: Migratiebeleid, en: Migration policy}\n  stances:\n" in (
        edited.text
    )
    assert_parse_is_a_full_read(edited)
    # A second key goes into the section just created.
    other = Term("uitgesteld", "uitgesteld", "postponed")
    twice = _edit.add_term(edited, "stances", other, today=TODAY)
    assert "    genoteerd: {nl: genoteerd, en: noted, aliases: [noted]}\n" in twice.text
    assert "    uitgesteld: {nl: uitgesteld, en: postponed}\n" in twice.text
    assert_parse_is_a_full_read(twice)
    assert twice.parsed.ledger.vocabularies.stances.keys[-2:] == ["genoteerd", "uitgesteld"]


def test_add_term_creates_vocabularies_in_a_registry_without_one() -> None:
    # A registry with no recommendations yet needs no vocabularies mapping.
    text = TEXT[: TEXT.index("# Stances and statuses")] + "recommendations: []\n# end\n"
    doc = document(text)
    assert "vocabularies" not in doc.parsed.blocks
    term = Term("wonen", "Wonen", "Housing")
    edited = _edit.add_term(doc, "themes", term, today=TODAY)
    # A new top-level key gets a blank line before it, as the file's keys have.
    assert only_inserted(doc.text, edited.text, doc.parsed.blocks[""].insert) == (
        "\nvocabularies:\n  themes:\n    wonen: {nl: Wonen, en: Housing}\n"
    )
    assert edited.text.endswith(
        "recommendations: []\n\nvocabularies:\n  themes:\n    wonen: {nl: Wonen, en: Housing}\n"
        "# end\n"
    )
    assert_parse_is_a_full_read(edited)
    provincie = Term("provincie", "provincies", "provinces")
    again = _edit.add_term(edited, "actors", provincie, today=TODAY)
    assert_parse_is_a_full_read(again)
    assert again.parsed.ledger.vocabularies.actors.keys[-1] == "provincie"


def test_refused_edits_change_nothing_and_say_why() -> None:
    # wrr103-1's history (every entry up to the next record) written as an inline list.
    start = TEXT.index("    history:\n", TEXT.index("  - id: wrr103-1\n"))
    end = TEXT.index("\n\n  - id: wrr103-2")
    entries = "{date: 2021-03-24, status: in-verkenning}, {date: 2026-02-23, status: in-verkenning}"
    inline = f"{TEXT[:start]}    history: [{entries}]{TEXT[end:]}"
    doc = document(inline)
    assert doc.parsed.ledger.get("wrr103-1").updated == date(2026, 2, 23)
    change = StatusChange(date(2026, 11, 1), "uitgevoerd", None, "B")
    with pytest.raises(WrrtrackError, match="its history is written as an inline list"):
        _edit.set_status(doc, "wrr103-1", change, today=TODAY)
    with pytest.raises(InvalidChange, match="exists already"):
        _edit.add_term(doc, "statuses", Term("open", "open", "open"), today=TODAY)


@settings(deadline=None)
@given(
    ledger=ledgers(),
    steps=st.lists(st.integers(min_value=0, max_value=99), max_size=8),
    squeezed=st.booleans(),
)
def test_any_sequence_of_edits_gives_what_a_full_read_gives(
    ledger: Ledger, steps: list[int], squeezed: bool
) -> None:
    """Appends, new vocabulary keys (for the registry or one report), new reports and
    status changes, in any order, on random registries of one or more reports."""
    text = render_registry(ledger)
    doc = document(back_to_back(text) if squeezed else text, today=GUARANTEES_TODAY)
    for n, step in enumerate(steps):
        kind, index = divmod(step, 20)
        recs = doc.parsed.ledger.recommendations
        reports = [report.key for report in doc.parsed.ledger.reports]
        before = doc.text
        if kind == 0:
            report = reports[index % len(reports)]
            added = recs[index % len(recs)]._replace(id=f"new-{n}", report=report)
            if added.theme not in doc.parsed.ledger.vocabularies_of(report).themes:
                # Another report's own theme: refused, and nothing is changed.
                with pytest.raises(RegistryInvalid, match="unknown theme"):
                    _edit.append_record(doc, added, today=GUARANTEES_TODAY)
                continue
            doc = _edit.append_record(doc, added, today=GUARANTEES_TODAY)
        elif kind == 1:
            section = ("themes", "actors", "stances", "statuses")[index % 4]
            term = Term(f"key-{n}", f"Label {n}, nl", f"label {n}", (f"alias-{n}",))
            owner = None if index % 2 else reports[index % len(reports)]
            doc = _edit.add_term(doc, section, term, today=GUARANTEES_TODAY, report=owner)
        elif kind == 2:
            report = AdviceReport(
                f"Raad {n}",
                None,
                f"Advies {n}: een titel",
                date(2001, 1, 1),
                Reaction(f"Brief {n}", date(2001, 2, 1), f"sources/r{n}.txt"),
            )
            value = {"key": f"raad-{n}", "report": report}
            doc = _edit.append_document(doc, value, today=GUARANTEES_TODAY)
        else:
            rec = recs[index % len(recs)]
            change = StatusChange(GUARANTEES_TODAY, rec.status, f"note {n}", "p")
            doc, _, _ = _edit.set_status(doc, rec.id, change, today=GUARANTEES_TODAY)
        assert doc.parsed == document(doc.text, today=GUARANTEES_TODAY).parsed
        if kind in (0, 2):  # one insertion: every byte before and after it is kept
            same = next(
                (i for i, (a, b) in enumerate(zip(before, doc.text, strict=False)) if a != b),
                len(before),
            )
            grown = len(doc.text) - len(before)
            assert doc.text[same + grown :] == before[same:]


# --- correcting and removing a record ---------------------------------------------------------


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines of `before` that `after` replaced, and those it has in their place; every
    other line is the same."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return old[head : len(old) - tail], new[head : len(new) - tail]


def edited(doc: Document, identifier: str, **fields: object) -> Document:
    after = doc.parsed.ledger.get(identifier)._replace(**fields)
    new = _edit.edit_record(doc, after, today=TODAY)
    assert new.parsed.ledger.get(identifier) == after
    assert_parse_is_a_full_read(new)
    return new


SEVEN_QUOTE = (
    '      - "De inventarisatie van de verschillende vormen van sturing van migratie, '
    "waaronder de mogelijkheden voor richtgetallen voor asielmigratie, wordt door het "
    'kabinet in opdracht gegeven aan de ACVZ."\n'
)


@pytest.mark.parametrize(
    ("field", "value", "old", "new"),
    [
        (
            "title",
            "Een titel: met 'tekst'",
            '    title: "Een meer integrale ontvangst van alle nieuwkomers"',
            "    title: \"Een titel: met 'tekst'\"",
        ),
        ("theme", "algemeen", "    theme: ontvangst-en-inburgering", "    theme: algemeen"),
        ("stance", "positief", "    stance: eens-met-voorbehoud", "    stance: positief"),
        (
            "actors",
            ("gemeente", "acvz", "rijk"),
            "    actors: [rijk, gemeente]",
            "    actors: [gemeente, acvz, rijk]",
        ),
    ],
)
def test_edit_record_replaces_only_the_line_of_the_field(
    field: str, value: object, old: str, new: str
) -> None:
    doc = document()
    after = edited(doc, "wrr103-2", **{field: value})
    assert changed_lines(doc.text, after.text) == ([old + "\n"], [new + "\n"])


def test_edit_record_replaces_the_lines_of_a_block_list_and_keeps_what_is_around_it() -> None:
    text = TEXT.replace(
        '    quotes:\n      - "Het kabinet is het met de WRR eens',
        "    quotes:  # the cabinet's words\n      # verbatim\n"
        '      - "Het kabinet is het met de WRR eens',
    ).replace("    actors: [rijk, gemeente]\n", "    actors:\n    - rijk\n    - gemeente # both\n")
    doc = document(text)
    quotes = doc.parsed.ledger.get("wrr103-2").quotes
    after = edited(doc, "wrr103-2", quotes=(quotes[2],), actors=("acvz",))
    # The entries' lines are replaced (a comment on an entry's own line goes with it);
    # the comments on the key's line and between the key and the entries stay.
    assert after.text == text.replace(
        "    actors:\n    - rijk\n    - gemeente # both\n", "    actors:\n    - acvz\n"
    ).replace(f'      - "{quotes[0]}"\n      - "{quotes[1]}"\n', "", 1).replace(
        f'      - "{quotes[3]}"\n', "", 1
    )


def test_edit_record_writes_flow_lists_as_flow_lists_and_any_scalar_as_a_scalar() -> None:
    one = document().parsed.ledger.get("wrr103-1").quotes
    text = (
        TEXT.replace(
            '    title: "Een meer integrale ontvangst van alle nieuwkomers"\n',
            "    title: >-\n      Een meer integrale\n      ontvangst\n",
        )
        .replace(
            "    theme: ontvangst-en-inburgering\n", "    theme: 'ontvangst-en-inburgering'  # x\n"
        )
        .replace(
            f'    quotes:\n      - "{one[0]}"\n      - "{one[1]}"\n',
            f'    quotes: ["{one[0]}",\n      "{one[1]}"]  # two\n',
        )
    )
    doc = document(text)
    after = edited(doc, "wrr103-2", title="yes", theme="algemeen")
    assert changed_lines(doc.text, after.text) == (
        [
            "    title: >-\n",
            "      Een meer integrale\n",
            "      ontvangst\n",
            "    theme: 'ontvangst-en-inburgering'  # x\n",
        ],
        ['    title: "yes"\n', "    theme: algemeen  # x\n"],
    )
    quotes = ("Een, twee: [drie] vier", one[1])
    again = edited(after, "wrr103-1", quotes=quotes, actors=("acvz",))
    assert changed_lines(after.text, again.text) == (
        [
            "    actors: [rijk, gemeente, volgend-kabinet]\n",
            "    status: in-verkenning\n",
            f'    quotes: ["{one[0]}",\n',
            f'      "{one[1]}"]  # two\n',
        ],
        [
            "    actors: [acvz]\n",
            "    status: in-verkenning\n",
            f'    quotes: ["Een, twee: [drie] vier", "{one[1]}"]  # two\n',
        ],
    )


HOSTILE = [
    "{x}",
    "{field}",
    "\\n and \\x00",
    "yes",
    "2030",
    "- x",
    "# y",
    ": z",
    "  leading spaces",
    "trailing  ",
    "tab\there",
    "line\nbreak",
    "'single' \"double\"",
    "\u2028 \u202e ﻿",
    "null",
    "~",
    "*alias &anchor !tag",
    "%percent @at `tick`",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_round_trips_exactly(title: str) -> None:
    doc = document()
    after = edited(doc, "wrr103-3", title=title)
    old, new = changed_lines(doc.text, after.text)
    assert len(old) == len(new) == 1
    assert new[0].startswith("    title: ")


def test_edit_record_keeps_every_other_field_and_refuses_a_history_change() -> None:
    doc = document()
    record = doc.parsed.ledger.get("wrr103-2")
    with pytest.raises(InvalidChange, match="only its title"):
        _edit.edit_record(doc, record._replace(status="open"), today=TODAY)
    with pytest.raises(InvalidChange, match="only its title"):
        _edit.edit_record(doc, record._replace(history=record.history[:1]), today=TODAY)


def test_an_edit_that_reads_back_as_invalid_is_refused() -> None:
    doc = document()
    record = doc.parsed.ledger.get("wrr103-2")
    with pytest.raises(RegistryInvalid, match="unknown theme"):
        _edit.edit_record(doc, record._replace(theme="wonen"), today=TODAY)
    with pytest.raises(RegistryInvalid, match="unknown actor"):
        _edit.edit_record(doc, record._replace(actors=("niemand",)), today=TODAY)


def removed(doc: Document, identifier: str) -> Document:
    new, record = _edit.remove_record(doc, identifier, today=TODAY)
    assert record == doc.parsed.ledger.get(identifier)
    assert [r.id for r in new.parsed.ledger.recommendations] == [
        r.id for r in doc.parsed.ledger.recommendations if r.id != record.id
    ]
    assert_parse_is_a_full_read(new)
    return new


def record_text(text: str, identifier: str) -> str:
    """The lines of a record of the shipped layout, from its `- id:` line to its last."""
    start = text.index(f"  - id: {identifier}\n")
    end = text.find("\n\n", start)
    return text[start : end + 1 if end >= 0 else len(text)]


@pytest.mark.parametrize("identifier", ["wrr103-1", "wrr103-4", "wrr103-7"])
def test_remove_record_takes_its_lines_and_one_blank_line(identifier: str) -> None:
    doc = document()
    lines = record_text(TEXT, identifier)
    after = removed(doc, identifier)
    if identifier == "wrr103-1":  # the first, under its key: the blank line after it goes
        assert after.text == TEXT.replace(lines + "\n", "")
    else:
        assert after.text == TEXT.replace("\n" + lines, "")


def test_removing_records_back_to_back_takes_their_lines_only() -> None:
    text = back_to_back(TEXT)
    doc = document(text)
    for identifier in ("wrr103-4", "wrr103-1", "wrr103-7"):
        lines = record_text(doc.text.replace("\n  - id:", "\n\n  - id:"), identifier)
        before = doc.text
        doc = removed(doc, identifier)
        assert doc.text == before.replace(lines, "", 1)
    assert "\n\n  - id:" not in doc.text


def test_remove_record_takes_the_comments_inside_it_and_keeps_those_around_it() -> None:
    text = TEXT.replace(
        "  - id: wrr103-3\n",
        "  # about three\n  - id: wrr103-3\n    # inside\n",
    ).replace(
        "\n\n  - id: wrr103-4\n",
        "\n    # under three, as deep as its keys\n\n  # about four\n  - id: wrr103-4\n",
    )
    doc = document(text)
    after = removed(doc, "wrr103-3")
    assert "# inside" not in after.text
    assert "# under three" not in after.text
    assert "  # about three\n\n  # about four\n  - id: wrr103-4\n" in after.text


def test_removing_a_reports_only_record_removes_its_list() -> None:
    doc = document()
    for rec in doc.parsed.ledger.recommendations[:-1]:
        doc = removed(doc, rec.id)
    before = doc.text
    doc = removed(doc, "wrr103-7")
    assert "recommendations:" not in doc.text
    # The record, its key line and the blank line before them: the end of the file.
    assert before.startswith(doc.text)
    assert before[len(doc.text) :].startswith("\nrecommendations:\n  - id: wrr103-7\n")
    assert doc.text.endswith("Migration policy}\n")
    # A new record makes the list again, in the shipped layout.
    again = _edit.append_record(doc, new_record("wrr103-1"), today=TODAY)
    assert_parse_is_a_full_read(again)
    assert "\n\nrecommendations:\n  - id: wrr103-1\n" in again.text


@settings(deadline=None)
@given(
    ledger=ledgers(),
    steps=st.lists(st.integers(min_value=0, max_value=99), max_size=8),
    squeezed=st.booleans(),
)
def test_any_sequence_of_corrections_and_removals_gives_what_a_full_read_gives(
    ledger: Ledger, steps: list[int], squeezed: bool
) -> None:
    """Edits of each field, removals, appends and status changes, in any order, on random
    registries of one or more reports (records back to back or not)."""
    text = render_registry(ledger)
    doc = document(back_to_back(text) if squeezed else text, today=GUARANTEES_TODAY)
    for n, step in enumerate(steps):
        kind, index = divmod(step, 25)
        recs = doc.parsed.ledger.recommendations
        if not recs:
            break
        rec = recs[index % len(recs)]
        vocab = doc.parsed.ledger.vocabularies_of(rec.report)
        before = doc.parsed.ledger
        if kind == 0:
            doc, gone = _edit.remove_record(doc, rec.id, today=GUARANTEES_TODAY)
            assert gone == rec
            expected = before._replace(
                recommendations=tuple(r for r in before.recommendations if r.id != rec.id)
            )
        elif kind == 3 and n % 2:
            change = StatusChange(GUARANTEES_TODAY, rec.status, f"note {n}", "p")
            doc, _, after = _edit.set_status(doc, rec.id, change, today=GUARANTEES_TODAY)
            expected = before.replace(after)
        else:
            fields = {
                "title": f"  Titel {n}: {{x}} # y\n- z",
                "theme": vocab.themes.keys[index % len(vocab.themes.keys)],
                "stance": vocab.stances.keys[index % len(vocab.stances.keys)],
                "actors": tuple(vocab.actors.keys[: 1 + index % 3]),
                "quotes": (f"quote {n}, [with] {{braces}}", *rec.quotes[:1]),
            }
            names = list(fields)
            chosen = {names[i]: fields[names[i]] for i in {index % 5, (index + kind) % 5}}
            after = rec._replace(**chosen)
            doc = _edit.edit_record(doc, after, today=GUARANTEES_TODAY)
            expected = before.replace(after)
        assert doc.parsed.ledger == expected
        assert doc.parsed == document(doc.text, today=GUARANTEES_TODAY).parsed
