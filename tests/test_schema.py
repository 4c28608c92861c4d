"""Bad registries: every problem is reported with path:line:column and never a traceback.

Each case mutates the shipped registry the way a person or a hostile pull request might,
then runs `validate` (and a write) and checks the message, the place, the exit code and
that no byte of the file changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHIPPED, Runner

TEXT = SHIPPED.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# (case, old, new, needle marking the expected line, column, message fragment)
CASES = [
    (
        "unclosed quote",
        '"Een meer integrale ontvangst van alle nieuwkomers"',
        '"Een meer integrale ontvangst van alle nieuwkomers',
        line_of(TEXT, '      - "Het kabinet is het met de WRR eens'),
        10,
        "YAML syntax: while parsing a block mapping did not find expected key",
    ),
    (
        "bad indentation",
        "    theme: algemeen",
        "      theme: algemeen",
        line_of(TEXT, "    theme: algemeen"),
        7,
        "YAML syntax: while parsing a block mapping did not find expected key",
    ),
    ("tab", "    theme: algemeen", "\ttheme: algemeen", "\ttheme: algemeen", 1, "YAML syntax"),
    (
        "misspelt key",
        "    stance: toegezegd",
        "    stanse: toegezegd",
        "stanse",
        5,
        "wrr103-7: unknown field 'stanse'; did you mean 'stance'?",
    ),
    (
        "actors as a string",
        "actors: [acvz, rijk]",
        "actors: acvz",
        "actors: acvz",
        13,
        "wrr103-7.actors: expected a list, got text",
    ),
    (
        "number as title",
        '"Een meer integrale ontvangst van alle nieuwkomers"',
        "42",
        "title: 42",
        12,
        "wrr103-2.title: expected text, got a number",
    ),
    (
        "duplicate id",
        "id: wrr103-2",
        "id: wrr103-1",
        '  - id: wrr103-1\n    title: "Een',
        5,
        f"duplicate id 'wrr103-1' (first on line {line_of(TEXT, '  - id: wrr103-1')})",
    ),
    (
        "duplicate key",
        "    theme: migratiebeleid\n    stance: toegezegd",
        "    theme: migratiebeleid\n    stance: toegezegd\n    theme: algemeen",
        line_of(TEXT, "    theme: migratiebeleid\n    stance: toegezegd") + 2,
        5,
        "wrr103-7: duplicate key 'theme' (first on line "
        f"{line_of(TEXT, '    theme: migratiebeleid' + chr(10) + '    stance: toegezegd')})",
    ),
    (
        "30 February",
        "  date: 2020-12-14",
        "  date: 2020-02-30",
        "2020-02-30",
        9,
        "report.date: 2020-02-30 is not a real calendar date",
    ),
    (
        "date in the future",
        "      - date: 2022-12-22",
        "      - date: 2099-12-22",
        "2099-12-22",
        15,
        "wrr103-7.history[2].date: 2099-12-22 is in the future",
    ),
    (
        "unknown status",
        '    status: in-uitvoering\n    quotes:\n      - "De keus',
        '    status: deferred\n    quotes:\n      - "De keus',
        "status: deferred",
        13,
        "wrr103-5.status: unknown status 'deferred'; did you mean 'doorgeschoven'?",
    ),
    (
        "unknown actor",
        "actors: [acvz, rijk]",
        "actors: [acvz, rijks]",
        "actors: [acvz, rijks]",
        20,
        "wrr103-7.actors[2]: unknown actor 'rijks'; did you mean 'rijk'?",
    ),
    (
        "unknown theme",
        "    theme: migratiebeleid\n    stance: toegezegd",
        "    theme: migratie\n    stance: toegezegd",
        "theme: migratie\n",
        12,
        "wrr103-7.theme: unknown theme 'migratie'; did you mean 'migratiebeleid'?",
    ),
    (
        "unknown stance",
        "    stance: toegezegd",
        "    stance: beloofd",
        "stance: beloofd",
        13,
        "wrr103-7.stance: unknown stance 'beloofd'",
    ),
    (
        "history out of order",
        "      - date: 2022-12-22",
        "      - date: 2020-12-22",
        "      - date: 2020-12-22",
        9,
        "wrr103-7.history[2]: dated 2020-12-22, before the entry above it (2021-03-24)",
    ),
    (
        "status differs from history",
        '    status: in-uitvoering\n    quotes:\n      - "Daarnaast',
        '    status: uitgevoerd\n    quotes:\n      - "Daarnaast',
        "status: uitgevoerd",
        13,
        "wrr103-3.status: 'uitgevoerd' differs from the newest history entry",
    ),
    (
        "empty history",
        "    history:\n      - date: 2021-03-24\n        status: open\n",
        "    history: []\n    old-history:\n      - date: 2021-03-24\n        status: open\n",
        "history: []",
        14,
        "wrr103-3.history: must not be empty",
    ),
    (
        "missing field",
        "    stance: toegezegd\n",
        "",
        "  - id: wrr103-7",
        5,
        "wrr103-7: missing field 'stance'",
    ),
    (
        "unknown top-level key",
        "vocabularies:",
        "vocabularys:",
        "vocabularys:",
        1,
        "registry: unknown field 'vocabularys'; did you mean 'vocabularies'?",
    ),
    (
        "object-constructing tag",
        '"Een meer integrale ontvangst van alle nieuwkomers"',
        '!!python/object/apply:os.system ["touch /tmp/wrrtrack-pwned"]',
        "!!python",
        12,
        "wrr103-2.title: YAML tag '!!python/object/apply:os.system' is not allowed",
    ),
    (
        "alias",
        "actors: [acvz, rijk]",
        "actors: *who",
        "actors: *who",
        13,
        "YAML syntax: found undefined alias",
    ),
    ("reused anchor", "    actors: [rijk]\n", "    actors: &who [rijk]\n", "&who", 13, ""),
    ("top-level list", TEXT, "- a\n- b\n", "- a", 1, "registry: expected a mapping, got a list"),
    ("empty file", TEXT, "", None, 1, "the registry file is empty"),
    ("only a comment", TEXT, "# nothing\n", None, 1, "the registry file holds no YAML document"),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "column", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_registry_is_reported_in_place(
    cli: Runner,
    registry: Path,
    old: str,
    new: str,
    needle: str | int | None,
    column: int,
    message: str,
) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    if "&who" in new:  # an anchor that is used again by an alias further on
        text = text.replace("actors: [acvz, rijk]", "actors: *who", 1)
        message = "wrr103-7.actors: YAML anchors and aliases are not allowed"
    registry.write_text(text, encoding="utf-8")
    before = registry.read_bytes()
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert result.out == ""
    lines = result.err.splitlines()
    assert all(line.startswith("error: ") for line in lines), result.err
    assert "Traceback" not in result.err
    line = needle if isinstance(needle, int) else line_of(text, needle) if needle else 1
    if "&who" in new:
        line = line_of(text, "&who")
    expected = f"error: {registry}:{line}:{column}: {message}"
    assert any(entry.startswith(expected) for entry in lines), f"{expected}\nnot in\n{result.err}"
    # Every command that reads refuses the same way, and a write changes nothing.
    assert cli("-r", registry, "list").code == 1
    write = cli("-r", registry, "status", "set", "wrr103-1", "open", "--by", "x")
    assert write.code == 1
    assert registry.read_bytes() == before
    assert not Path("/tmp/wrrtrack-pwned").exists()


@pytest.mark.parametrize("url", ["https://example.org/a b", "https://example.org/a\tb", "http://"])
@pytest.mark.parametrize("line", [21, 155], ids=["source", "reaction"])
def test_a_url_the_reports_cannot_link_is_placed(
    cli: Runner, registry: Path, url: str, line: int
) -> None:
    """`reports add --url` refuses such an address; written by hand, `validate` places it
    (the reports would show the reaction or source with no link)."""
    lines = TEXT.splitlines(keepends=True)
    assert lines[line - 1].startswith("    url: ")
    lines[line - 1] = f"    url: {json.dumps(url)}\n"
    registry.write_text("".join(lines), encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert f"error: {registry}:{line}:10: " in result.err, result.err
    assert "must go on after http(s):// and hold no spaces" in result.err


def test_every_problem_is_listed_in_one_run(cli: Runner, registry: Path) -> None:
    text = (
        TEXT.replace("actors: [acvz, rijk]", "actors: [acvz, rijks]")
        .replace("    stance: positief", "    stance: positive")
        .replace("breed in kaart", "globaal in kaart")
    )
    registry.write_text(text, encoding="utf-8")
    lines = cli("-r", registry, "validate").err.splitlines()
    assert len(lines) == 4  # in file order, quotes checked although the structure is wrong
    assert "unknown stance 'positive'; did you mean 'positief'?" in lines[0]
    assert "unknown actor 'rijks'" in lines[1]
    assert "wrr103-7: quote 1 is not in source 'wrr-samenvatting-kabinetsreactie'" in lines[2]
    assert lines[3] == f"error: 3 problem(s) in {registry}"


@pytest.mark.parametrize(
    ("data", "place", "message"),
    [
        (
            TEXT.encode().replace(b"nieuwkomers", b"nieuwkomers\xff", 1),
            f"{line_of(TEXT, 'nieuwkomers')}:62",
            "not UTF-8 text",
        ),
        (b"\xef\xbb\xbf" + TEXT.encode(), "1:1", "byte-order mark"),
        (
            TEXT.encode().replace(b"WRR", b"W\x00RR", 1),
            f"{line_of(TEXT, 'WRR')}:47",
            "YAML syntax: control character U+0000 is not allowed",
        ),
    ],
    ids=["not UTF-8", "byte-order mark", "NUL byte"],
)
def test_undecodable_bytes_are_placed(
    cli: Runner, registry: Path, data: bytes, place: str, message: str
) -> None:
    registry.write_bytes(data)
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert result.err.startswith(f"error: {registry}:{place}")
    assert message in result.err
    assert registry.read_bytes() == data


def test_registry_path_problems(cli: Runner, tmp_path: Path) -> None:
    missing = cli("-r", tmp_path / "nope.yaml", "list")
    assert (missing.code, missing.err) == (1, f"error: {tmp_path / 'nope.yaml'}: no such file\n")
    folder = tmp_path / "empty"
    folder.mkdir()
    # A folder is a folder registry (tests/test_folder.py); one with no files reads as
    # empty, but does not validate (a check of a wrong path must not pass).
    assert cli("-r", folder, "list").code == 0
    empty = cli("-r", folder, "validate")
    assert empty.code == 1
    assert empty.err.startswith(f"error: no registry files in {folder} ")


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="POSIX modes; root reads any file"
)
def test_unreadable_registry(cli: Runner, registry: Path) -> None:
    registry.chmod(0)
    result = cli("-r", registry, "list")
    assert result.err == f"error: {registry}: permission denied (cannot read the registry)\n"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX directory modes")
def test_read_only_directory_refuses_the_write_cleanly(cli: Runner, registry: Path) -> None:
    before = registry.read_bytes()
    registry.parent.chmod(0o555)
    try:
        if os.access(registry.parent, os.W_OK):
            pytest.skip("this user writes to read-only directories (root)")
        result = cli("-r", registry, "status", "set", "wrr103-1", "open", "--by", "x")
    finally:
        registry.parent.chmod(0o755)
    assert result.code == 1
    assert "cannot write: Permission denied; the file is unchanged" in result.err
    assert registry.read_bytes() == before


def test_permission_denied_reading_as_any_user(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == registry:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = cli("-r", registry, "list")
    assert (result.code, result.err) == (
        1,
        f"error: {registry}: permission denied (cannot read the registry)\n",
    )


def test_permission_denied_writing_as_any_user(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = registry.read_bytes()
    real_open = os.open

    def refuse_new_files(path: str | Path, flags: int, *args: int) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse_new_files)
    result = cli("-r", registry, "status", "set", "wrr103-1", "open", "--by", "x")
    assert result.code == 1
    assert result.err == (
        f"error: {registry}: cannot write: Permission denied; the file is unchanged\n"
    )
    assert registry.read_bytes() == before


def peak_memory_mb(*args: str | Path) -> tuple[int, float]:
    """Exit code and peak resident memory of one run of the installed wrrtrack."""
    wrrtrack = Path(sys.executable).parent / "wrrtrack"
    process = subprocess.Popen(
        [wrrtrack, *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)  # this child's own resource usage
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped: tell Popen
    return process.returncode, usage.ru_maxrss / 1024


def test_billion_laughs_is_refused_quickly_without_memory_growth(
    cli: Runner, registry: Path
) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    # Used where the schema expects a mapping, a list of records and a list of actors.
    lines += ["report: *a9", "recommendations: *a9", "vocabularies: {themes: *a8}"]
    registry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    result = cli("-r", registry, "--no-cache", "validate")
    elapsed = time.perf_counter() - started
    assert result.code == 1
    assert "unknown field 'a0'" in result.err
    assert elapsed < 1.0  # a billion expanded strings would take minutes
    # Its own peak memory, next to a run that reads nothing: an expansion would need GBs.
    code, laughs = peak_memory_mb("-r", registry, "--no-cache", "validate")
    _, idle = peak_memory_mb("--version")
    assert code == 1
    assert laughs < idle + 40


def test_a_very_long_line_and_fifty_megabytes_of_junk(cli: Runner, registry: Path) -> None:
    registry.write_text(TEXT.replace('title: "Een meer', 'title: "' + "x" * 2_000_000 + " Een"))
    long_line = cli("-r", registry, "validate")
    assert long_line.code == 0, long_line.err
    junk = bytes(range(32, 127)) * (50 * 1024 * 1024 // 95)
    registry.write_bytes(junk)
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert result.err.startswith(f"error: {registry}:1:")
    assert registry.read_bytes() == junk


YAMLISH = "abcdé:-[]{}&*!|>'\"#%@`, \n\t\r\x00\x85\u2028\ufeff0123456789"


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    junk=st.one_of(
        st.text(alphabet=YAMLISH, max_size=300),
        st.binary(max_size=300),
        st.builds(
            lambda a, b, c: TEXT[:a] + c + TEXT[b:],
            st.integers(0, len(TEXT)),
            st.integers(0, len(TEXT)),
            st.text(alphabet=YAMLISH, max_size=20),
        ),
    )
)
def test_no_input_produces_a_traceback(cli: Runner, registry: Path, junk: str | bytes) -> None:
    """Whatever the file holds, validate ends with exit 0 or 1 and only `error:` lines."""
    data = junk if isinstance(junk, bytes) else junk.encode("utf-8", "surrogatepass")
    registry.write_bytes(data)
    result = cli("-r", registry, "--no-cache", "validate")
    assert result.code in (0, 1)
    if result.code == 1:
        assert result.err
        assert all(line.startswith("error: ") for line in result.err.splitlines())
    assert registry.read_bytes() == data


def test_registry_text_in_messages_stays_on_one_line_and_escapes_control_characters(
    cli: Runner, registry: Path
) -> None:
    text = TEXT.replace("actors: [acvz, rijk]", 'actors: [acvz, "ri\\njk\\e[31m"]')
    registry.write_text(text, encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert all(line.startswith("error: ") for line in result.err.splitlines())
    assert "unknown actor 'ri\\njk\\x1b[31m'" in result.err
    assert "\x1b" not in result.err


def test_a_bad_byte_is_placed_by_characters_not_bytes(cli: Runner, registry: Path) -> None:
    # The bad byte follows an 'ë' (two bytes, one character) on the same line.
    data = TEXT.encode().replace(
        "financiële gevolgen".encode(), "financiële \xff".encode().replace(b"\xc3\xbf", b"\xff"), 1
    )
    registry.write_bytes(data)
    line = next(i for i, t in enumerate(TEXT.splitlines(), 1) if "financiële gevolgen" in t)
    column = TEXT.splitlines()[line - 1].index("financiële gevolgen") + len("financiële ") + 1
    assert cli("-r", registry, "validate").err.startswith(f"error: {registry}:{line}:{column}: ")
