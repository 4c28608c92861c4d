"""What several test modules share that is not a Hypothesis strategy (those are in
`tests/strategies.py`): the invented second report and its writers, snapshots of a folder,
a strict HTML reader, the commands with help, bash completion, git and the shipped text
read as a `Document`. Test modules import from here, from `strategies` and from `conftest`,
never from each other (tests/promises/test_layout.py checks it)."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Result, Runner
from wrrtrack._places import Document
from wrrtrack._schema import read_registry

TODAY = date(2026, 11, 27)  # the day the in-memory tests take as today

# --- a second, invented report (the writers of several reports) ---------------------------

EXAMPLE = ROOT / "docs" / "examples" / "voorbeeldstad-reactie.txt"


KEY = "voorbeeldstad-wijk"


QUOTE = (
    "Het college neemt het advies over om in elke wijk één vast aanspreekpunt voor "
    "bewoners in te richten."
)


def add_report(
    cli: Runner, registry: Path, key: str = KEY, *extra: str, check: bool = True
) -> Result:
    result = cli(
        "-r", registry, "reports", "add", key,
        "--title", "Samen sterker in de wijk",
        "--publisher", "Adviesraad Sociaal Domein Voorbeeldstad",
        "--date", "2024-11-05",
        "--reaction", "Collegebrief 2025-012",
        "--reaction-date", "2025-02-11",
        "--source-file", EXAMPLE,
        *extra,
    )  # fmt: skip
    assert result.code == 0 or not check, result.err
    return result


def add(cli: Runner, registry: Path, identifier: str, *extra: str, quote: str = QUOTE) -> object:
    return cli(
        "-r", registry, "add", identifier, "--report", KEY, "--title", "Een aanspreekpunt",
        "--theme", "wijkaanpak", "--stance", "onderschreven", "--actor", "college",
        "--quote", quote, "--by", "A. Jansen", *extra,
    )  # fmt: skip


def with_second_report(cli: Runner, registry: Path) -> Path:
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


# --- files ---------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` by its path, with the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# The fixtures of a folder registry: a module that uses them binds them by name,
# `folder, two = helpers.folder, helpers.two`.
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder registry: the shipped report as `wrr-103.yaml`, with its sources."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copytree(ROOT / "data" / "sources", reports / "sources")
    shutil.copyfile(SHIPPED, reports / "wrr-103.yaml")
    return reports


@pytest.fixture
def two(cli: Runner, folder: Path) -> Path:
    """The folder with a second report (`KEY.yaml`), its own actor and theme, one record."""
    assert add_report(cli, folder, KEY, check=False).code == 0
    for args in (
        ("actors", "college", "--nl", "college van B en W", "--en", "municipal executive"),
        ("themes", "wijkaanpak", "--nl", "Wijkaanpak", "--en", "Neighbourhood approach"),
    ):
        assert cli("-r", folder, "vocab", "add", *args, "--report", KEY).code == 0
    assert add(cli, folder, "vsd-1").code == 0
    return folder


# --- the HTML report, read back strictly ------------------------------------------------------

VOID = {"meta", "link", "br", "hr", "img", "input", "rect", "source", "wbr", "col", "area"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def text(self) -> str:
        """All text inside, as a reader sees it (white space folded)."""
        parts: list[str] = []

        def walk(element: Element) -> None:
            parts.extend(element.texts)
            for child in element.children:
                walk(child)

        walk(self)
        return " ".join(" ".join(parts).split())

    def all(self, tag: str | None = None) -> list[Element]:
        found = []
        for child in self.children:
            if tag is None or child.tag == tag:
                found.append(child)
            found += child.all(tag)
        return found

    def one(self, tag: str) -> Element:
        (found,) = self.all(tag)
        return found


class Tree(HTMLParser):
    """A strict tree builder: an end tag that does not close the open element fails."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = self.root
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"repeated attribute in <{tag}>"
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.open))

    def handle_endtag(self, tag: str) -> None:
        assert self.open.tag == tag, f"</{tag}> closes <{self.open.tag}>"
        assert self.open.parent is not None
        self.open = self.open.parent

    def handle_data(self, data: str) -> None:
        self.open.texts.append(data)


def parse(page: str) -> Element:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.open is tree.root, f"<{tree.open.tag}> is never closed"
    assert tree.doctype.lower() == "doctype html"
    return tree.root


# --- the command line ----------------------------------------------------------------------

# Every command and group that has its own help.
COMMANDS = [
    [],
    ["list"],
    ["show"],
    ["status"],
    ["status", "set"],
    ["status", "history"],
    ["report"],
    ["changes"],
    ["validate"],
    ["sources"],
    ["sources", "update"],
    ["sources", "add"],
    ["init"],
    ["vocab"],
    ["vocab", "list"],
    ["vocab", "add"],
    ["reports"],
    ["reports", "add"],
    ["add"],
    ["edit"],
    ["remove"],
    ["export"],
    ["schema"],
]

WRRTRACK = Path(sys.executable).parent / "wrrtrack"


def bash_completes(words: list[str], tmp_path: Path, registry: Path = SHIPPED) -> list[str]:
    """What bash offers, with our script loaded, for the command line `words` (the last
    word being completed), as bash itself calls the completion function.

    The script that `wrrtrack --show-completion bash` prints is made once per test and
    sourced by each bash: printing it again for every word cost a second start of wrrtrack
    per call and proved nothing more."""
    loader = tmp_path / "wrrtrack-completion.bash"
    if not loader.exists():
        shown = subprocess.run(
            [WRRTRACK, "--show-completion", "bash"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        assert shown.stderr == ""
        loader.write_text(shown.stdout, encoding="utf-8")
    script = (
        f"source {shlex.quote(str(loader))}\n"
        f"COMP_WORDS=({' '.join(map(repr, words))})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_wrrtrack_completion wrrtrack\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {
        **os.environ,
        "PATH": f"{WRRTRACK.parent}{os.pathsep}{os.environ['PATH']}",
        "WRRTRACK_REGISTRY": str(registry),
        "WRRTRACK_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stderr == ""
    return done.stdout.split()


# --- git -----------------------------------------------------------------------------------

IDENTITY = ["-c", "user.name=Tester", "-c", "user.email=tester@example.org"]


IDENTITY += ["-c", "commit.gpgsign=false"]


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *IDENTITY, *args], cwd=where, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(where: Path, message: str) -> None:
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", message)


# --- the shipped registry as text -------------------------------------------------------------

SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")


def document(text: str = SHIPPED_TEXT, today: date = TODAY) -> Document:
    reading = read_registry(SHIPPED, text, today)
    assert reading.parsed is not None, reading.problems
    return Document(SHIPPED, text, reading.parsed)


def assert_parse_is_a_full_read(doc: Document) -> None:
    """What the edit worked out for itself is exactly what reading the new text gives."""
    assert doc.parsed == document(doc.text).parsed


def back_to_back(text: str) -> str:
    """`text` with no blank line between records (nor sources): each starts on the line
    after the last line of the one before."""
    return re.sub(r"\n\n(  - id:)", r"\n\1", text)
