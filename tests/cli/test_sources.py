"""`sources add` and `Registry.add_source`: a later document's text stored as a source, in
both layouts, all or nothing; and the excerpt marker in every output that names a source."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

from tests import helpers
from tests.conftest import ROOT, Runner
from tests.helpers import KEY, with_second_report
from wrrtrack import Registry
from wrrtrack._errors import InvalidChange, ReadOnlyRegistry

TEXT = (
    "VOORBEELD. Sinds juni 2025 hebben bewoners in de wijken Noord, Oost en West één vast "
    "aanspreekpunt.\n"
)
QUOTE = "Sinds juni 2025 hebben bewoners in de wijken Noord, Oost en West één vast aanspreekpunt."
SHIPPED_EXCERPTS = 12  # the shipped sources stored as the passages quoted, not whole
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX FIFOs")


def snapshot(top: Path) -> dict[str, str]:
    """Every file below `top` (hidden ones and the cache left out) with its SHA-256."""
    return {
        str(p.relative_to(top)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(top.rglob("*"))
        if p.is_file() and not p.is_symlink() and "cache" not in p.relative_to(top).parts
    }


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "brief.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    return path


def sources_add(cli: Runner, registry: Path, identifier: str, *extra: str | Path) -> object:
    given = [str(e) for e in extra]
    defaults = {
        "--title": "Voortgang wijkaanpak",
        "--publisher": "Gemeente Voorbeeldstad",
        "--date": "2025-09-15",
        "--kind": "collegebrief",
    }
    for option, value in defaults.items():
        if option not in given:
            given += [option, value]
    return cli("-r", registry, "sources", "add", identifier, *given)


def test_one_record_is_appended_and_no_other_byte_changes(
    cli: Runner, registry: Path, document: Path
) -> None:
    before = registry.read_text(encoding="utf-8")
    result = sources_add(
        cli, registry, "brief-2025", "--file", document, "--url", "https://example.org/b"
    )
    assert result.code == 0, result.err
    assert "added source brief-2025 to" in result.err
    after = registry.read_text(encoding="utf-8")
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    new = (
        "  - id: brief-2025\n    title: Voortgang wijkaanpak\n"
        "    publisher: Gemeente Voorbeeldstad\n"
        '    date: 2025-09-15\n    kind: collegebrief\n    url: "https://example.org/b"\n'
        f"    file: sources/brief-2025.txt\n    sha256: {sha}\n\n"
    )
    at = before.index("report:\n")
    assert after == before[:at] + new + before[at:]
    assert (registry.parent / "sources" / "brief-2025.txt").read_bytes() == TEXT.encode()
    listed = cli("-r", registry, "sources", "--json").json()
    assert listed[-1]["id"] == "brief-2025" and listed[-1]["state"] == "ok"
    assert "excerpt" not in listed[-1]
    assert cli("-r", registry, "validate").code == 0


def test_status_set_cites_and_quotes_the_new_source(
    cli: Runner, registry: Path, document: Path
) -> None:
    assert sources_add(cli, registry, "brief-2025", "--file", document).code == 0
    wrong = cli(
        "-r", registry, "status", "set", "wrr103-6", "open", "--note", "n", "--by", "A",
        "--date", "2025-09-16", "--source", "brief-2025",
        "--quote", "Sinds juli 2025 hebben bewoners",
    )  # fmt: skip
    assert wrong.code == 1 and "not in source 'brief-2025'" in wrong.err
    result = cli(
        "-r", registry, "status", "set", "wrr103-6", "open", "--note", "n", "--by", "A",
        "--date", "2025-09-16", "--source", "brief-2025", "--quote", QUOTE,
    )  # fmt: skip
    assert result.code == 0, result.err
    entry = cli("-r", registry, "show", "wrr103-6", "--json").json()["history"][-1]
    assert entry["source"] == "brief-2025" and entry["quotes"] == [QUOTE]
    assert entry["cites"]["title"] == "Voortgang wijkaanpak"
    checked = cli("-r", registry, "validate")
    assert checked.code == 0 and "14 sources" in checked.out
    # The stored text changed: validate names the source, as for every stored source.
    (registry.parent / "sources" / "brief-2025.txt").write_text("Anders.\n", encoding="utf-8")
    changed = cli("-r", registry, "validate")
    assert changed.code == 1 and "brief-2025" in changed.err


def test_the_text_may_come_from_standard_input(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(TEXT.encode())))
    assert sources_add(cli, registry, "brief-2025", "--file", "-").code == 0
    assert (registry.parent / "sources" / "brief-2025.txt").read_bytes() == TEXT.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe")))
    before = snapshot(registry.parent.parent)
    refused = sources_add(cli, registry, "brief-2026", "--file", "-")
    assert refused.code == 1 and "standard input is not UTF-8 text (byte 1)" in refused.err
    assert snapshot(registry.parent.parent) == before
    # Started with standard input closed (`<&-`): Python has no sys.stdin at all.
    monkeypatch.setattr(sys, "stdin", None)
    closed = sources_add(cli, registry, "brief-2026", "--file", "-")
    assert (closed.code, closed.err) == (
        1,
        "error: standard input is closed; give the text with --file FILE\n",
    )
    assert snapshot(registry.parent.parent) == before


def test_a_folder_registry_records_it_in_the_reports_file(
    cli: Runner, tmp_path: Path, document: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copytree(ROOT / "data" / "sources", folder / "sources")
    shutil.copyfile(ROOT / "data" / "recommendations.yaml", folder / "wrr-103.yaml")
    # One report: --report may be left out.
    assert sources_add(cli, folder, "brief-a", "--file", document).code == 0
    assert "brief-a" in (folder / "wrr-103.yaml").read_text(encoding="utf-8")
    assert with_second_report(cli, folder) == folder
    before = helpers.snapshot(folder)
    several = sources_add(cli, folder, "brief-b", "--file", document)
    assert several.code == 1
    assert "the registry holds 2 reports; name the one the source belongs to with --report" in (
        several.err
    )
    assert helpers.snapshot(folder) == before
    done = sources_add(cli, folder, "brief-b", "--file", document, "--report", KEY)
    assert done.code == 0, done.err
    assert f"{KEY}.yaml" in done.err
    assert "brief-b" in (folder / f"{KEY}.yaml").read_text(encoding="utf-8")
    assert "brief-b" not in (folder / "wrr-103.yaml").read_text(encoding="utf-8")
    assert cli("-r", folder, "validate").code == 0
    # The cache after the write holds what a full read gives.
    cached = Registry.open(folder).ledger
    assert cached == Registry.open(folder, use_cache=False).ledger
    assert cached.source("brief-b") is not None


def test_a_file_of_several_reports_needs_report_and_gets_it_in_that_document(
    cli: Runner, registry: Path, document: Path
) -> None:
    with_second_report(cli, registry)
    before = snapshot(registry.parent.parent)
    assert sources_add(cli, registry, "brief-b", "--file", document).code == 1
    assert snapshot(registry.parent.parent) == before
    assert sources_add(cli, registry, "brief-b", "--file", document, "--report", KEY).code == 0
    text = registry.read_text(encoding="utf-8")
    assert text.index("id: brief-b") > text.index(f"key: {KEY}")
    assert cli("-r", registry, "validate").code == 0
    assert Registry.open(registry).ledger == Registry.open(registry, use_cache=False).ledger


def test_a_document_without_a_list_of_sources_gets_one(
    cli: Runner, registry: Path, document: Path
) -> None:
    # The shipped sources in a document of their own, before the report's.
    text = registry.read_text(encoding="utf-8")
    start, end = text.index("sources:\n"), text.index("report:\n")
    registry.write_text(text[:start] + text[start:end] + "---\n" + text[end:], encoding="utf-8")
    assert cli("-r", registry, "validate").code == 0
    assert sources_add(cli, registry, "brief-a", "--file", document).code == 0
    after = registry.read_text(encoding="utf-8")
    assert after.endswith("\nsources:\n  - id: brief-a\n" + after.split("  - id: brief-a\n")[1])
    assert cli("-r", registry, "validate").code == 0


def test_a_report_that_names_its_text_by_file_is_named(
    cli: Runner, tmp_path: Path, document: Path
) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(
        "format: 1\nreport:\n  publisher: WRR\n  number: 103\n  title: T\n"
        "  date: 2020-01-01\n  reaction:\n    reference: R\n    date: 2020-02-01\n"
        '    source: "a/{x}.txt"\n',
        encoding="utf-8",
    )
    before = snapshot(tmp_path)
    result = sources_add(cli, old, "brief-a", "--file", document)
    assert result.code == 1
    assert "report 'wrr-103' names its reaction's text by its file (a/{x}.txt)" in result.err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("identifier", "extra", "message"),
    [
        ("kst-36078-3", (), "a stored source with id 'kst-36078-3' exists already"),
        ("KST-36078-3", (), "a stored source with id 'kst-36078-3' exists already"),
        ("WRR-103", (), "'WRR-103' is the key of report 'wrr-103'"),
        ("a/b", (), "ID may hold only letters, digits"),
        ("_a", (), "ID may hold only letters, digits"),
        ("com1", (), "'com1' (ID) names a device on Windows"),
        ("Nul.brief", (), "'Nul.brief' (ID) names a device on Windows"),
        ("brief", ("--date", "2999-01-01"), "the date 2999-01-01 is in the future"),
        ("brief", ("--url", "javascript:alert(1)"), "--url is not a web address"),
        ("brief", ("--url", "https://a b"), "--url "),
        ("brief", ("--report", "nope"), "unknown report 'nope'"),
        ("brief", ("--title", "a\0b"), "--title must be non-empty, valid text"),
        ("brief", ("--publisher", "  "), "--publisher must be non-empty, valid text"),
    ],
)
def test_a_refusal_changes_no_byte_and_leaves_no_file(
    cli: Runner,
    registry: Path,
    document: Path,
    identifier: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    before = snapshot(registry.parent.parent)
    result = sources_add(cli, registry, identifier, "--file", document, *extra)
    assert result.code == 1, result
    assert result.err.startswith("error: ") and message in result.err, result.err
    assert "Traceback" not in result.err
    assert snapshot(registry.parent.parent) == before
    assert not any(p.name.startswith(".") for p in (registry.parent / "sources").iterdir())


def test_a_bad_date_is_a_usage_error(cli: Runner, registry: Path, document: Path) -> None:
    before = snapshot(registry.parent.parent)
    result = sources_add(cli, registry, "brief", "--file", document, "--date", "2025-02-30")
    assert result.code == 2
    assert snapshot(registry.parent.parent) == before


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "latin-1", "large", "fifo"])
def test_a_text_reports_add_would_refuse_is_refused(
    cli: Runner, registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path = tmp_path / "text.txt"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b" \n")
    elif kind == "latin-1":
        path.write_bytes("één".encode("latin-1"))
    elif kind == "large":
        from wrrtrack import _evidence

        monkeypatch.setattr(_evidence, "SIZE_LIMIT", 10)
        path.write_bytes(b"x" * 11)
    elif kind == "fifo":
        if sys.platform == "win32":
            pytest.skip("no FIFOs")
        os.mkfifo(path)
    before = snapshot(registry.parent.parent)
    result = sources_add(cli, registry, "brief", "--file", path)
    assert result.code == 1 and result.err.startswith(f"error: {path}"), result.err
    assert snapshot(registry.parent.parent) == before


def test_another_text_under_the_name_is_refused_and_the_same_one_is_the_copy(
    cli: Runner, registry: Path, document: Path
) -> None:
    stored = registry.parent / "sources" / "brief.txt"
    stored.write_text("Een andere tekst.\n", encoding="utf-8")
    before = snapshot(registry.parent.parent)
    refused = sources_add(cli, registry, "brief", "--file", document)
    assert refused.code == 1 and "exists already and holds another text" in refused.err
    assert snapshot(registry.parent.parent) == before
    # A run killed after copying the text and before writing the record: run it again.
    stored.write_bytes(TEXT.encode())
    done = sources_add(cli, registry, "brief", "--file", document)
    assert done.code == 0, done.err
    assert stored.read_bytes() == TEXT.encode()
    assert cli("-r", registry, "validate").code == 0


def test_a_failed_write_takes_the_copy_away(
    cli: Runner, registry: Path, document: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack import storage

    def broken(path: Path, content: object, **_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "atomic_write", broken)
    before = snapshot(registry.parent.parent)
    with pytest.raises(OSError):
        Registry(registry).add_source(
            "brief", title="T", publisher="P", date=date(2025, 1, 1), kind="k", file=document
        )
    assert snapshot(registry.parent.parent) == before
    assert sorted(p.name for p in (registry.parent / "sources").iterdir()) == sorted(
        p.name for p in (ROOT / "data" / "sources").iterdir()
    )


def test_the_library_returns_the_source_and_refuses_what_it_should(
    registry: Path, document: Path
) -> None:
    source = Registry(registry).add_source(
        "brief",
        title="T",
        publisher="P",
        date=date(2025, 1, 1),
        kind="k",
        text=TEXT.encode(),
        excerpt=True,
    )
    assert (source.id, source.file, source.excerpt) == ("brief", "sources/brief.txt", True)
    assert source.sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert Registry.open(registry).ledger.source("brief") == source
    with pytest.raises(InvalidChange):
        Registry(registry).add_source(
            "b2", title="T", publisher="P", date=date(2025, 1, 1), kind="k"
        )
    with pytest.raises(ReadOnlyRegistry):
        Registry(registry, read_only=True).add_source(
            "b2", title="T", publisher="P", date=date(2025, 1, 1), kind="k", file=document
        )


def test_an_excerpt_is_shown_as_such_everywhere(
    cli: Runner, registry: Path, document: Path, tmp_path: Path
) -> None:
    assert sources_add(cli, registry, "brief", "--file", document, "--excerpt").code == 0
    assert "excerpt: true\n" in registry.read_text(encoding="utf-8")
    assert cli(
        "-r", registry, "status", "set", "wrr103-6", "open", "--note", "n", "--by", "A",
        "--date", "2025-09-16", "--source", "brief", "--quote", QUOTE,
    ).code == 0  # fmt: skip
    lines = cli("-r", registry, "sources").out.splitlines()
    assert lines[-1].endswith("\tok\texcerpt") and lines[0].endswith("\tok")
    listed = cli("-r", registry, "sources", "--json").json()
    assert listed[-1]["excerpt"] is True and "excerpt" not in listed[0]
    assert list(listed[-1])[-3:] == ["sha256", "excerpt", "state"]
    shown = " ".join(cli("-r", registry, "show", "wrr103-6", "--lang", "en").out.split())
    assert "“Voortgang wijkaanpak” (collegebrief, 15 September 2025; excerpt)" in shown
    assert cli("-r", registry, "show", "wrr103-6", "--json").json()["history"][-1]["cites"][
        "excerpt"
    ]
    report = cli("-r", registry, "report").out
    row = (
        "| brief | Gemeente Voorbeeldstad, “Voortgang wijkaanpak” (collegebrief, "
        "15 september 2025) | sources/brief.txt (fragmenten) |"
    )
    assert row in report
    html = cli("-r", registry, "report", "--format", "html", "--lang", "en").out
    assert "<code>sources/brief.txt</code> (excerpt)" in html
    document_json = json.loads(cli("-r", registry, "export", "--format", "json").out)
    excerpts = [s.get("excerpt") for s in document_json["sources"]]
    assert (excerpts[0], excerpts[-1]) == (None, True)
    toml = cli("-r", registry, "export", "--format", "toml").out
    assert toml.count("excerpt = true") == excerpts.count(True) == SHIPPED_EXCERPTS + 1
    database = tmp_path / "r.sqlite"
    assert cli("-r", registry, "export", "--format", "sqlite", "-o", database).code == 0
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, excerpt FROM sources ORDER BY position").fetchall()
    assert rows[-1] == ("brief", 1) and rows[0][1] == 0
    # The export reads back as the registry, excerpt and all.
    from wrrtrack._export import read_document

    ledger = Registry.open(registry).ledger
    assert read_document(document_json).sources == ledger.sources


def test_outputs_without_excerpts_do_not_mention_them(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    assert text.count("    excerpt: true\n") == SHIPPED_EXCERPTS
    registry.write_text(text.replace("    excerpt: true\n", ""), encoding="utf-8")
    assert cli("-r", registry, "validate").code == 0
    for args in (
        ("sources",),
        ("sources", "--json"),
        ("show", "wrr103-6", "--json"),
        ("report",),
        ("export", "--format", "json"),
        ("export", "--format", "toml"),
    ):
        output = cli("-r", registry, *args).out
        assert "excerpt" not in output and "fragmenten" not in output, args


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script> & <b>",
        "\x1b[31mrood\x1b[0m \x07",
        "{x} {0} %s {{field}}",
        "| a | b |\n[x](javascript:alert(1))",
        "x" * 1_000_000,
    ],
)
def test_hostile_titles_and_publishers_are_stored_and_shown_as_text(
    cli: Runner, registry: Path, document: Path, hostile: str
) -> None:
    result = sources_add(
        cli, registry, "brief", "--file", document, "--title", hostile, "--publisher", hostile
    )
    assert result.code == 0, result.err[:500]
    source = Registry.open(registry, use_cache=False).ledger.source("brief")
    assert source is not None and (source.title, source.publisher) == (hostile, hostile)
    assert cli("-r", registry, "validate").code == 0
    cited = ("status", "set", "wrr103-6", "open", "--note", "n", "--source", "brief", "--by", "A")
    assert cli("-r", registry, *cited).code == 0
    for args in (("sources",), ("report",), ("show", "wrr103-6")):
        output = cli("-r", registry, *args)
        assert output.code == 0 and "\x1b" not in output.out
    html = cli("-r", registry, "report", "--format", "html")
    assert html.code == 0 and "<script>alert" not in html.out and "\x1b" not in html.out


def marked(text: str, source: str, value: str) -> str:
    """`text` with the `excerpt:` line of the shipped excerpt `source` saying `value`."""
    line = "    excerpt: true\n"
    at = text.index(line, text.index(f"  - id: {source}\n"))
    return text[:at] + f"    excerpt: {value}\n" + text[at + len(line) :]


@pytest.mark.parametrize("written", ["yes", "True", "1", '"true"', "[true]"])
def test_validate_places_an_excerpt_that_is_not_true_or_false(
    cli: Runner, registry: Path, written: str
) -> None:
    registry.write_text(
        marked(registry.read_text(encoding="utf-8"), "kst-30995-104", written), encoding="utf-8"
    )
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert ":73:14: sources[6].excerpt: expected true or false (in lower case)" in result.err


def test_an_excerpt_written_by_hand_reads_and_is_cached_as_it_is(
    cli: Runner, registry: Path
) -> None:
    text = registry.read_text(encoding="utf-8")
    for value, expected in (("true", True), ("false", False)):
        registry.write_text(marked(text, "kst-30995-104", value), encoding="utf-8")
        assert cli("-r", registry, "validate").code == 0
        cached = Registry.open(registry).ledger  # twice: the second from the cache
        assert cached == Registry.open(registry).ledger
        assert cached == Registry.open(registry, use_cache=False).ledger
        source = cached.source("kst-30995-104")
        assert source is not None and source.excerpt is expected


def test_the_json_schema_knows_the_excerpt_flag() -> None:
    from wrrtrack.render.jsonschema import registry_schema

    field = registry_schema()["$defs"]["source"]["properties"]["excerpt"]
    assert field["type"] == "boolean"
    assert "excerpt" not in registry_schema()["$defs"]["source"]["required"]


@pytest.mark.parametrize(
    "args",
    [
        ("status", "set", "wrr103-6", "open", "--note", "n", "--source", "{x}", "--quote", QUOTE),
        ("sources", "update", "{0}"),
        ("vocab", "add", "actors", "{x}", "--nl", "a", "--en", "b"),
    ],
)
def test_braces_in_what_the_user_typed_are_no_placeholders(
    cli: Runner, registry: Path, args: tuple[str, ...]
) -> None:
    before = snapshot(registry.parent.parent)
    result = cli("-r", registry, *args)
    assert result.code == 1 and "internal error" not in result.err, result.err
    assert "{x}" in result.err or "{0}" in result.err
    assert snapshot(registry.parent.parent) == before


def test_a_source_that_is_not_stored_is_named_with_how_to_store_it(
    cli: Runner, registry: Path, document: Path
) -> None:
    args = ("status", "set", "wrr103-6", "open", "--note", "n", "--by", "A", "--quote", QUOTE)
    refused = cli("-r", registry, *args, "--source", str(document))
    assert refused.code == 1 and "'wrrtrack sources add ID --file FILE'" in refused.err
    assert sources_add(cli, registry, "brief", "--file", document).code == 0
    assert cli("-r", registry, *args, "--source", "brief").code == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changes_says_a_new_source_is_an_excerpt(
    cli: Runner, tmp_path: Path, document: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import commit, git

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    work = tmp_path / "work"
    assert cli("init", work).code == 0
    git(work, "init", "-q")
    commit(work, "the registry")
    registry = work / "data" / "recommendations.yaml"
    assert sources_add(cli, registry, "brief", "--file", document, "--excerpt").code == 0
    found = cli("-r", registry, "changes", "--since", "HEAD", "--json").json()["sources"]
    assert [(s["change"], s["id"], s.get("excerpt")) for s in found] == [("added", "brief", True)]
    # Marking a stored text an excerpt afterwards is a change of that field.
    commit(work, "brief")
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("    excerpt: true\n\nreport:", "\nreport:"), encoding="utf-8")
    found = cli("-r", registry, "changes", "--since", "HEAD", "--json").json()["sources"]
    assert [(s["change"], s["fields"]) for s in found] == [("edited", ["excerpt"])]


def test_a_new_file_appears_whole_through_a_link_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack import storage
    from wrrtrack._errors import WrrtrackError

    made: list[Path] = []
    storage.create_file(tmp_path / "a.txt", b"tekst", made)
    assert made == [tmp_path / "a.txt"] and (tmp_path / "a.txt").read_bytes() == b"tekst"

    def taken(source: object, target: object) -> None:  # another writer got there first
        raise FileExistsError(17, "File exists")

    monkeypatch.setattr(os, "link", taken)
    made = []
    with pytest.raises(WrrtrackError, match=r"b\.txt exists already"):
        storage.create_file(tmp_path / "b.txt", b"tekst", made)
    assert made == [] and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]

    def no_links(source: object, target: object) -> None:  # a file system without them
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    storage.create_file(tmp_path / "c.txt", b"tekst", made)
    assert made == [tmp_path / "c.txt"] and (tmp_path / "c.txt").read_bytes() == b"tekst"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "c.txt"]
