"""The file layer: scalars that read back exactly, edits in odd layouts, atomic writes."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SHIPPED
from wrrtrack import _yamlfile as yamlfile
from wrrtrack import storage
from wrrtrack._errors import WrrtrackError
from wrrtrack._registry import Registry

TEXT = SHIPPED.read_text(encoding="utf-8")


@given(st.text(min_size=1).filter(lambda s: not any("\ud800" <= c <= "\udfff" for c in s)))
def test_any_text_round_trips_through_yaml_scalar(value: str) -> None:
    emitted = yamlfile.yaml_scalar(value)
    assert "\n" not in emitted
    assert yaml.safe_load(f"k: {emitted}\n") == {"k": value}


@pytest.mark.parametrize(
    ("value", "emitted"),
    [
        ("Regeling gepubliceerd", "Regeling gepubliceerd"),
        ("A. Jansen", "A. Jansen"),
        ("yes", '"yes"'),
        ("2021", '"2021"'),
        ("a: b", '"a: b"'),
        ("x # y", '"x # y"'),
        ("- lijst", '"- lijst"'),
        ('zei "ja"', '"zei \\"ja\\""'),
        ("regel\u2028scheiding", '"regel\\u2028scheiding"'),  # YAML reads U+2028 as a break
        # Direction marks would reorder what `cat` and `git diff` show of the file.
        ("a \u202eR", '"a \\u202eR"'),
        ("\u2066x\u2069", '"\\u2066x\\u2069"'),
        ("\u200fy", '"\\u200fy"'),
    ],
)
def test_plain_when_safe_quoted_otherwise(value: str, emitted: str) -> None:
    assert yamlfile.yaml_scalar(value) == emitted


LAYOUTS = {
    "crlf line endings": lambda t: t.replace("\n", "\r\n"),
    "no final newline": lambda t: t.rstrip("\n"),
    # wrr103-7 is the last record: its last history entry ends the file.
    "comment after the last entry": lambda t: t.rstrip("\n") + "  # bron gecontroleerd\n# einde\n",
    "history before status": lambda t: (
        t.replace(
            '    status: uitgevoerd\n    quotes:\n      - "Het kabinet is bereid',
            '    quotes:\n      - "Het kabinet is bereid',
        ).rstrip("\n")
        + "\n    status: uitgevoerd\n"
    ),
    "block scalar note": lambda t: re.sub(
        r'        note: "De Adviesraad Migratie \(de voormalige ACVZ\)[^\n]*\n',
        "        note: |\n          Blok.\n\n        by: x\n",
        t,
    ),
    "wider indentation": lambda t: (
        t.replace("\n          - ", "\n            - ")
        .replace("\n        quotes:", "\n          quotes:")
        .replace("\n      - date:", "\n        - date:")
        .replace("\n        status:", "\n          status:")
        .replace("\n        note:", "\n          note:")
        .replace("\n        source:", "\n          source:")
        .replace("\n        relation:", "\n          relation:")
        .replace("\n        by:", "\n          by:")
    ),
}


@pytest.mark.parametrize("make", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_status_set_survives_layouts_and_changes_only_the_record(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "recommendations.yaml"
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "kabinetsreactie-wrr-103.txt").write_bytes(
        (SHIPPED.parent / "sources" / "kabinetsreactie-wrr-103.txt").read_bytes()
    )
    before = make(TEXT)
    path.write_bytes(before.encode())
    registry = Registry.open(path)
    start = registry._parsed.layouts["wrr103-7"].start
    registry.set_status("wrr103-7", "vervallen", note='Af: "klaar"', on=date(2026, 1, 2), by="b")
    after = path.read_bytes().decode()
    assert after[:start] == before[:start]
    comments = [line.strip() for line in before.splitlines() if "#" in line]
    assert comments == [line.strip() for line in after.splitlines() if "#" in line]
    reopened = Registry.open(path)
    rec = reopened.get("wrr103-7")
    assert (rec.status, rec.history[-1].note) == ("vervallen", 'Af: "klaar"')
    assert reopened.ledger.recommendations[:6] == Registry.open(SHIPPED).recommendations[:6]
    if "\r\n" in before:
        assert "\n" not in after.replace("\r\n", "")


def test_inline_history_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    first = "    history:\n      - date: 2021-03-24\n        status: in-verkenning\n"
    start = TEXT.index(first, TEXT.index("  - id: wrr103-1\n"))
    old = TEXT[start : TEXT.index("\n\n  - id: wrr103-2", start)] + "\n\n  - id: wrr103-2"
    assert old.count("      - date: ") == 2  # wrr103-1's whole history
    text = TEXT.replace(
        old, "    history: [{date: 2021-03-24, status: in-verkenning}]\n\n  - id: wrr103-2"
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WrrtrackError, match="wrr103-1: its history is written as an inline list"):
        Registry.open(path).set_status("wrr103-1", "uitgevoerd", by="x")
    assert path.read_text(encoding="utf-8") == text


# --- atomic writes: each step fails in turn ------------------------------------------------


def fail_at(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, f"injected failure in {name}")

    if name == "replace":
        monkeypatch.setattr(Path, "replace", boom)
    else:
        monkeypatch.setattr(os, name, boom)


@pytest.mark.parametrize(
    "step", ["write", "fsync", "replace", *(["fchmod"] if hasattr(os, "fchmod") else [])]
)
def test_a_failing_step_leaves_the_original_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    target = tmp_path / "registry.yaml"
    target.write_text("original\n", encoding="utf-8")
    fail_at(monkeypatch, step)
    with pytest.raises(WrrtrackError, match=f"cannot write: injected failure in {step}"):
        storage.atomic_write(target, "new\n")
    monkeypatch.undo()
    assert target.read_bytes() == b"original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["registry.yaml"]


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps only a read-only flag")
def test_atomic_write_keeps_permission_bits(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("a", encoding="utf-8")
    target.chmod(0o604)
    storage.atomic_write(target, "b")
    assert target.stat().st_mode & 0o777 == 0o604
    assert target.read_text(encoding="utf-8") == "b"


def test_stale_temporaries_of_dead_writers_are_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("a", encoding="utf-8")
    stale = tmp_path / f".r.yaml{storage.TEMP_MARK}999-dead"
    stale.write_text("half a file", encoding="utf-8")
    storage.remove_stale_temporaries(target)
    assert not stale.exists()
    assert target.exists()
