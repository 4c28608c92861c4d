"""`_alike.alike`: a file's new text must read as its old one but for the records the edit
meant to change, each reading in the whole file as it reads on its own."""

from __future__ import annotations

from datetime import date

from tests.helpers import TODAY, back_to_back, document
from wrrtrack import _edit
from wrrtrack._alike import alike
from wrrtrack._model import StatusChange
from wrrtrack._places import Document

CHANGE = StatusChange(date(2026, 2, 1), "uitgevoerd", "Klaar", "B")


def edited(doc: Document, identifier: str = "wrr103-3") -> Document:
    return _edit.set_status(doc, identifier, CHANGE, today=TODAY)[0]


def test_an_edit_of_one_record_reads_alike() -> None:
    doc = document()
    new = edited(doc)
    assert alike(doc.path, doc.text, new.text, doc.parsed, new.parsed)
    assert alike(doc.path, doc.text, doc.text, doc.parsed, doc.parsed)  # no edit at all
    tight = document(back_to_back(doc.text))
    new = edited(tight)
    assert alike(tight.path, tight.text, new.text, tight.parsed, new.parsed)


def test_an_appended_record_reads_alike() -> None:
    doc = document()
    record = doc.parsed.ledger.get("wrr103-3")._replace(id="wrr103-8")
    new = _edit.append_record(doc, record, today=TODAY)
    assert alike(doc.path, doc.text, new.text, doc.parsed, new.parsed)


def test_a_change_to_a_record_the_edit_left_alone_is_seen() -> None:
    doc = document()
    new = edited(doc)
    other = new.parsed.layouts["wrr103-5"]
    piece = new.text[other.start : other.end]
    title = new.parsed.ledger.get("wrr103-5").title
    text = new.text[: other.start] + piece.replace(title[:20], title[:20].upper(), 1)
    text += new.text[other.end :]
    assert text != new.text
    assert not alike(doc.path, doc.text, text, doc.parsed, new.parsed)


def test_a_change_outside_the_records_is_seen() -> None:
    doc = document()
    new = edited(doc)
    text = new.text.replace("Samenleven in verscheidenheid", "Samenleven", 1)
    assert text != new.text
    assert not alike(doc.path, doc.text, text, doc.parsed, new.parsed)
    assert not alike(doc.path, doc.text, new.text + "---\n{}\n", doc.parsed, new.parsed)


def test_a_record_that_reads_otherwise_in_the_whole_file_is_seen() -> None:
    doc = document()
    new = edited(doc)
    layout = new.parsed.layouts["wrr103-3"]
    # The same record, with a line the whole file reads as part of it but that lies after
    # its span: read on its own, the span is the record meant; in the file, it is not.
    text = new.text[: layout.end] + "    extra: x\n" + new.text[layout.end :]
    assert not alike(doc.path, doc.text, text, doc.parsed, new.parsed)


def test_records_in_another_order_or_missing_are_seen() -> None:
    doc = document()
    new = edited(doc)
    a, b = new.parsed.layouts["wrr103-1"], new.parsed.layouts["wrr103-2"]
    swapped = new.text[: a.start] + new.text[b.start : b.end] + new.text[a.start : a.end]
    swapped += new.text[b.end :]
    assert not alike(doc.path, doc.text, swapped, doc.parsed, new.parsed)
    dropped = new.text[: a.start] + new.text[a.end :]
    assert not alike(doc.path, doc.text, dropped, doc.parsed, new.parsed)


def test_text_that_is_no_yaml_is_not_alike() -> None:
    doc = document()
    new = edited(doc)
    assert not alike(doc.path, doc.text, new.text + "\n  - [unclosed\n", doc.parsed, new.parsed)
