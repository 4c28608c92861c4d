"""`changes`: what the registry records as changed between two dates or git revisions.

The comparison on ledgers in memory; the command on registries in git repositories made in
`tmp_path` (git run with fixed arguments, an identity given with `-c`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Runner
from tests.helpers import commit, git
from wrrtrack import Registry
from wrrtrack._changes import compare, dated

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding a copy of the shipped registry and its sources, one commit."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    work = tmp_path / "work"
    assert cli("init", work).code == 0
    git(work, "init", "-q")
    commit(work, "the registry")
    return work / "data" / "recommendations.yaml"


def status_set_and_add(cli: Runner, registry: Path) -> None:
    """One `status set` and one `add`, committed together."""
    changed = cli(
        "-r", registry, "status", "set", "wrr103-4", "uitgevoerd",
        "--note", "Afgerond | *klaar*", "--date", "2026-11-01",
    )  # fmt: skip
    assert changed.code == 0, changed.err
    quote = cli("-r", registry, "show", "wrr103-1", "--json").json()["quotes"][0]
    added = cli(
        "-r", registry, "add", "wrr103-99", "--report", "wrr-103", "--title", "Een <b>test</b>",
        "--theme", "algemeen", "--stance", "afgewezen", "--actor", "rijk", "--quote", quote,
        "--status", "open", "--date", "2026-11-02",
    )  # fmt: skip
    assert added.code == 0, added.err
    commit(registry.parent.parent, "a status and a recommendation")


@needs_git
def test_since_a_revision_lists_exactly_the_status_set_and_the_add(
    cli: Runner, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status_set_and_add(cli, repo)
    data = cli("-r", repo, "changes", "--since", "HEAD~1", "--json").json()
    assert data["since"] == "HEAD~1"
    assert data["until"] is None
    assert data["commits"]["since"] == git(repo.parent, "rev-parse", "HEAD~1").strip()
    assert [(r["change"], r["id"], r["status"]) for r in data["recommendations"]] == [
        ("added", "wrr103-99", "open")
    ]
    assert [(h["id"], h["status_before"], h["status"], h["date"]) for h in data["history"]] == [
        ("wrr103-4", "in-uitvoering", "uitgevoerd", "2026-11-01")
    ]
    assert data["sources"] == data["reports"] == []
    # Piped: one tab-separated line per change, with keys.
    piped = cli("-r", repo, "changes", "--since", "HEAD~1").out.splitlines()
    assert [line.split("\t")[:5] for line in piped] == [
        ["recommendation-added", "wrr103-99", "", "", "open"],
        ["history-added", "wrr103-4", "2026-11-01", "in-uitvoering", "uitgevoerd"],
    ]
    # Markdown: a GFM table with the same two rows, the registry text escaped.
    from markdown_it import MarkdownIt

    md = cli("-r", repo, "changes", "--since", "HEAD~1", "--format", "md", "--lang", "en").out
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert re.findall(r"<th>(.*?)</th>", html) == ["change", "id", "date", "status", "detail"]
    rows = [
        re.findall(r"<td>(.*?)</td>", row)
        for row in re.findall(r"<tr>\n(<td>.*?)</tr>", html, re.S)
    ]
    assert [row[:4] for row in rows] == [
        ["recommendation added", "wrr103-99", "", "open"],
        ["history entry added", "wrr103-4", "2026-11-01", "in progress → implemented"],
    ]
    assert rows[0][4] == "Een &lt;b&gt;test&lt;/b&gt;"  # shown as text, not HTML
    assert rows[1][4].startswith("Afgerond | *klaar*")  # a `|` does not split the row
    # At a terminal: a Rich table with the same ids and kinds.
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    shown = cli("-r", repo, "changes", "--since", "HEAD~1", "--lang", "en").out
    assert re.findall(r"^(wrr103-\d+)\s+(\w+ (?:entry )?added)", shown, re.M) == [
        ("wrr103-99", "recommendation added"),
        ("wrr103-4", "history entry added"),
    ]
    assert "Changes from HEAD~1" in shown


@needs_git
def test_between_two_revisions_and_nothing_changed(cli: Runner, repo: Path) -> None:
    status_set_and_add(cli, repo)
    between = cli("-r", repo, "changes", "--since", "HEAD~1", "--until", "HEAD", "--json").json()
    since_head = cli("-r", repo, "changes", "--since", "HEAD~1", "--json").json()
    assert between["commits"]["until"] == git(repo.parent, "rev-parse", "HEAD").strip()
    assert between["recommendations"] == since_head["recommendations"]
    assert between["history"] == since_head["history"]
    # The default is HEAD: nothing is changed on disk since.
    unchanged = cli("-r", repo, "changes")
    assert (unchanged.code, unchanged.out) == (0, "")
    md = cli("-r", repo, "changes", "--format", "md", "--lang", "en").out
    assert md.endswith("\n\nNo changes.\n")


@needs_git
def test_a_revision_that_does_not_exist_is_one_error_line(cli: Runner, repo: Path) -> None:
    result = cli("-r", repo, "changes", "--since", "nosuchrev")
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        f"error: nosuchrev: no such commit in the git repository at {repo.parent.parent}\n"
    )


@needs_git
@pytest.mark.parametrize("hostile", ["--output=x", "-x", "--exec=touch x"])
def test_a_revision_that_looks_like_an_option_is_refused(
    cli: Runner, repo: Path, hostile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo.parent.parent)
    before = sorted(p.name for p in repo.parent.parent.iterdir())
    result = cli("-r", repo, "changes", f"--since={hostile}")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: {hostile!r} is not a revision (a revision does not start with '-')\n"
    )
    assert sorted(p.name for p in repo.parent.parent.iterdir()) == before


@needs_git
@pytest.mark.parametrize("hostile", ["HEAD:../../etc/passwd", "HEAD:data", "HEAD^{tree}"])
def test_a_revision_that_names_no_commit_is_refused(cli: Runner, repo: Path, hostile: str) -> None:
    result = cli("-r", repo, "changes", "--since", hostile)
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith(f"error: {hostile}: no such commit in the git repository")
    assert result.err.count("\n") == 1


@needs_git
def test_a_registry_that_did_not_validate_at_the_revision(cli: Runner, repo: Path) -> None:
    good = repo.read_bytes()
    repo.write_bytes(good.replace(b"status: open", b"status: nonsense", 1))
    commit(repo.parent.parent, "broken")
    repo.write_bytes(good)
    commit(repo.parent.parent, "mended")
    result = cli("-r", repo, "changes", "--since", "HEAD~1")
    assert (result.code, result.out) == (1, "")
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: HEAD~1: the registry did not validate in that commit: ")
    assert "nonsense" in lines[0]
    assert cli("-r", repo, "changes", "--since", "HEAD~2").out == ""  # the same as now


@needs_git
def test_a_registry_not_in_the_commit_or_not_in_git(
    cli: Runner, repo: Path, tmp_path: Path
) -> None:
    moved = repo.parent.parent / "elders"
    shutil.copytree(repo.parent, moved)
    result = cli("-r", moved / "recommendations.yaml", "changes", "--json")
    assert result.code == 0, result.err  # new since HEAD: everything in it is added
    assert result.json()["new"] is True
    result = cli("-r", moved / "recommendations.yaml", "changes", "--until", "HEAD")
    assert result.code == 1
    assert (
        result.err
        == "error: HEAD: the registry elders/recommendations.yaml is not in that commit\n"
    )
    outside = tmp_path / "outside"
    shutil.copytree(repo.parent, outside)
    result = cli("-r", outside / "recommendations.yaml", "changes")
    assert result.code == 1
    assert result.err.startswith(
        f"error: {outside / 'recommendations.yaml'} is not in a git repository"
    )
    assert result.err.count("\n") == 1


@needs_git
def test_a_folder_registry_at_a_revision(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    work = tmp_path / "team"
    assert cli("init", work, "--folder").code == 0
    folder = work / "reports"
    git(work, "init", "-q")
    commit(work, "the registry")
    changed = cli("-r", folder, "status", "set", "wrr103-4", "uitgevoerd", "--date", "2026-11-01")
    assert changed.code == 0, changed.err
    dirty = cli("-r", folder, "changes", "--json").json()
    assert [(h["id"], h["status"]) for h in dirty["history"]] == [("wrr103-4", "uitgevoerd")]
    commit(work, "done")
    between = cli("-r", folder, "changes", "--since", "HEAD~1", "--until", "HEAD", "--json").json()
    assert between["history"] == dirty["history"]
    assert between["recommendations"] == []


def test_since_a_date_needs_no_git(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("git") is None
    data = cli("-r", SHIPPED, "changes", "--since", "2022-06-30", "--json").json()
    expected = Registry(SHIPPED).ledger.changes_since(date(2022, 6, 30))
    assert expected  # the shipped registry records changes after that day
    assert data["by_date"] is True
    assert [(h["id"], h["date"], h["status"]) for h in data["history"]] == [
        (rec.id, change.date.isoformat(), change.status) for rec, change in expected
    ]
    assert data["recommendations"] == data["sources"] == data["reports"] == []
    until = cli(
        "-r", SHIPPED, "changes", "--since", "2022-06-30", "--until", "2022-12-31", "--json"
    )
    assert [h["date"] for h in until.json()["history"]] == [
        c.date.isoformat() for _, c in expected if c.date <= date(2022, 12, 31)
    ]
    piped = cli("-r", SHIPPED, "changes", "--since", "2022-06-30").out.splitlines()
    assert len(piped) == len(expected)
    # A revision without git: one clear line.
    result = cli("-r", SHIPPED, "changes", "--since", "HEAD")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("error: ")
    assert "git is not installed" in result.err
    assert result.err.count("\n") == 1


def test_until_a_date_needs_since_a_date(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "changes", "--since", "HEAD", "--until", "2024-01-01")
    assert result.code == 2
    assert "a date needs --since to be a date too" in result.err


def test_compare_matches_records_by_id_and_names_what_changed() -> None:
    ledger = Registry(SHIPPED).ledger
    first, second, *rest = ledger.recommendations
    source = ledger.sources[0]
    after = ledger._replace(
        recommendations=(
            first._replace(title="Nieuw", actors=("rijk",)),
            *rest,  # the second removed
        ),
        sources=(source._replace(sha256="0" * 64), *ledger.sources[1:]),
    )
    found = compare(ledger, after)
    assert [(c.kind, c.record.id, c.fields) for c in found.recommendations] == [
        ("edited", first.id, ("title", "actors")),
        ("removed", second.id, ()),
    ]
    assert [(c.kind, c.source.id, c.fields) for c in found.sources] == [
        ("refingerprinted", source.id, ("sha256",))
    ]
    assert not found.history and not found.reports
    assert not compare(ledger, ledger)
    # Reordering records is no change: they are matched by id, not by place.
    assert not compare(ledger, ledger._replace(recommendations=ledger.recommendations[::-1]))
    # A history that was rewritten, not extended, is an edit of the record.
    rewritten = first._replace(history=first.history[:-1]) if len(first.history) > 1 else None
    if rewritten is not None:
        edit = compare(
            ledger, ledger.replace(rewritten._replace(status=rewritten.history[-1].status))
        )
        assert "history" in edit.recommendations[0].fields


def test_dated_is_the_ledgers_changes_since() -> None:
    ledger = Registry(SHIPPED).ledger
    day = date(2022, 6, 30)
    found = dated(ledger, day)
    assert [(a.record.id, a.entry) for a in found.history] == [
        (rec.id, change) for rec, change in ledger.changes_since(day)
    ]
    for added in found.history:
        history = added.record.history
        position = history.index(added.entry)
        assert added.status_before == (history[position - 1].status if position else None)


def test_the_markdown_renders_with_cmark_gfm_if_installed(cli: Runner) -> None:
    cmark = shutil.which("cmark-gfm")
    if cmark is None:
        pytest.skip("cmark-gfm is not installed")
    md = cli("-r", SHIPPED, "changes", "--since", "2022-06-30", "--format", "md").out
    html = subprocess.run(
        [cmark, "-e", "table"], input=md, capture_output=True, text=True, check=True
    ).stdout
    assert html.count("<tr>") == 1 + len(Registry(SHIPPED).ledger.changes_since(date(2022, 6, 30)))


def test_json_keys_are_documented() -> None:
    from wrrtrack.render import machine

    doc = machine.changes_json.__doc__ or ""
    data = json.loads(machine.changes_json(dated(Registry(SHIPPED).ledger, date(2022, 6, 30))))
    for key in [*data, *data["history"][0]]:
        assert f"`{key}`" in doc, key
    assert sys.modules  # the module was imported for its docstring only


@needs_git
def test_a_folder_registry_at_the_top_of_its_repository(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert cli("init", tmp_path / "made", "--folder").code == 0
    top = tmp_path / "top"
    shutil.move(tmp_path / "made" / "reports", top)
    (top / "README.md").write_text("The registry is this folder.\n")  # listed first
    git(top, "init", "-q")
    commit(top, "the registry")
    assert cli("-r", top, "status", "set", "wrr103-4", "uitgevoerd").code == 0
    found = cli("-r", top, "changes", "--report", "WRR-103", "--json").json()
    assert [(h["id"], h["status"]) for h in found["history"]] == [("wrr103-4", "uitgevoerd")]
    unknown = cli("-r", top, "changes", "--report", "nope")
    assert unknown.code == 2
    assert "unknown report 'nope'" in unknown.err


@pytest.mark.parametrize("width", [40, 80, 160])
def test_the_terminal_table_fits_the_width(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", str(width))
    shown = cli("-r", SHIPPED, "changes", "--since", "2022-06-30").out
    assert max(len(line) for line in shown.splitlines()) <= width
    for rec, _ in Registry(SHIPPED).ledger.changes_since(date(2022, 6, 30)):
        assert rec.id in shown


@needs_git
def test_a_deadline_or_review_edit_is_an_edited_row(cli: Runner, repo: Path) -> None:
    edited = cli("-r", repo, "edit", "wrr103-1", "--due", "2026-06-30", "--review", "2026-09-01")
    assert edited.code == 0, edited.err
    data = cli("-r", repo, "changes", "--since", "HEAD", "--json").json()
    assert [(c["change"], c["id"], c["fields"]) for c in data["recommendations"]] == [
        ("edited", "wrr103-1", ["due", "review"])
    ]
    assert data["history"] == []
    piped = cli("-r", repo, "changes", "--since", "HEAD").out.splitlines()
    assert len(piped) == 1
    assert piped[0].startswith("recommendation-edited\twrr103-1\t")
    assert piped[0].endswith("[due, review]")


def test_history_entries_carry_relation_and_cites_as_status_history_gives_them(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = cli("-r", SHIPPED, "changes", "--since", "2024-01-01", "--json").json()
    assert data["history"]
    for added in data["history"]:
        entries = cli("-r", SHIPPED, "status", "history", added["id"], "--json").json()
        entry = {k: v for k, v in added.items() if k not in ("id", "report", "status_before")}
        assert entry in entries
        assert list(entry) == list(entries[0])  # the same keys, in the same order
    assert {added["relation"] for added in data["history"]} == {"related"}
    assert all(added["cites"]["id"] == added["source"] for added in data["history"])
    # Table and Markdown mark a related entry as `show` and the report do.
    md = cli("-r", SHIPPED, "changes", "--since", "2024-01-01", "--format", "md", "--lang", "en")
    details = [line.split(" | ")[-1] for line in md.out.splitlines() if "wrr103-" in line]
    assert details and all(d.startswith("*(related)* ") for d in details), details
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "160")
    shown = cli("-r", SHIPPED, "changes", "--since", "2024-01-01").out
    assert shown.count("(verwant) ") == len(data["history"])


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("day", ["2025-13-01", "2025-02-30", "0000-01-01"])
def test_an_impossible_date_is_a_usage_error_not_a_revision(
    cli: Runner, option: str, day: str
) -> None:
    points = {"--since": "2025-01-01", "--until": "2025-12-31", option: day}
    result = cli("-r", SHIPPED, "changes", *(x for pair in points.items() for x in pair))
    assert (result.code, result.out) == (2, "")
    assert f"'{day}' is not a real date in the form YYYY-MM-DD" in result.err
    assert f"'{option}'" in result.err
    assert "commit" not in result.err


def test_a_reversed_date_range_is_a_usage_error(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "changes", "--since", "2025-12-01", "--until", "2025-01-01")
    assert (result.code, result.out) == (2, "")
    assert "2025-12-01" in result.err
    assert "2025-01-01" in result.err
    same = cli("-r", SHIPPED, "changes", "--since", "2025-01-01", "--until", "2025-01-01")
    assert (same.code, same.out) == (0, "")  # after a day, up to and including it: none


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_an_empty_point_says_it_is_empty(cli: Runner, option: str) -> None:
    result = cli("-r", SHIPPED, "changes", option, "")
    assert (result.code, result.out) == (2, "")
    assert "empty" in result.err
    assert "is not a revision" not in result.err


@needs_git
def test_a_registry_new_since_the_revision_is_all_added(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q")
    (work / "README.md").write_text("Before the registry.\n")
    commit(work, "before")
    assert cli("init", work).code == 0
    commit(work, "the registry")
    registry = work / "data" / "recommendations.yaml"
    ledger = Registry(registry).ledger
    data = cli("-r", registry, "changes", "--since", "HEAD~1", "--json").json()
    assert data["new"] is True
    assert [c["change"] for c in data["reports"]] == ["added"] * len(ledger.reports)
    assert [c["id"] for c in data["recommendations"]] == [r.id for r in ledger.recommendations]
    assert {c["change"] for c in data["recommendations"]} == {"added"}
    assert [c["id"] for c in data["sources"]] == [s.id for s in ledger.sources]
    assert {c["change"] for c in data["sources"]} == {"added"}
    assert data["history"] == []
    md = cli("-r", registry, "changes", "--since", "HEAD~1", "--format", "md", "--lang", "en")
    assert md.code == 0
    assert "\n\nThe registry is new since HEAD\\~1: everything in it is added.\n\n" in md.out
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    shown = cli("-r", registry, "changes", "--since", "HEAD~1", "--lang", "en").out
    assert "The registry is new since HEAD~1" in shown
    monkeypatch.undo()
    # Not new since a later commit; a revision that does not exist is still an error.
    assert cli("-r", registry, "changes", "--since", "HEAD", "--json").json()["new"] is False
    missing = cli("-r", registry, "changes", "--since", "nosuchrev")
    assert (missing.code, missing.out) == (1, "")
    assert "no such commit" in missing.err
