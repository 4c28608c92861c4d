"""The registry as YAML text: composing it safely, splicing one record, rendering a new file.

Reading never constructs Python objects from YAML: the text is *composed* into nodes (which
keep their line and column) and the schema walks those nodes. A `!!python/...` tag is
therefore only ever a string to complain about, and an alias is a shared node, never an
expansion.

Changing a record replaces only its characters; everything else in the file, comments and
blank lines included, stays as it was. (The bytes on disk are `storage`'s business.)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from wrrtrack.errors import Location, Problem, RegistryInvalid, WrrtrackError
from wrrtrack.model import Ledger, StatusChange
from wrrtrack.parsed import RecordLayout
from wrrtrack.vocabulary import DEFAULTS

# The C loader is ten times faster; the pure-Python one gives the same nodes and marks.
Loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:
    Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    Loader = yaml.SafeLoader


def _problem(path: Path, message: str, line: int = 1, column: int = 1) -> RegistryInvalid:
    return RegistryInvalid([Problem(Location(path, line, column), message)])


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def decode(path: Path, data: bytes) -> str:
    """UTF-8 text, or a problem at the first byte that is not."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise _problem(
            path, "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Count in the characters before the bad byte (they decode: it is the first bad
        # one), so that the column is the one an editor shows.
        before = data[: exc.start].decode("utf-8")
        line, column = _line_column(before, len(before))
        raise _problem(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            line,
            column,
        ) from None


_DIRECTIVE = re.compile(r"^%", re.MULTILINE)


def compose(path: Path, text: str) -> yaml.Node:
    """The YAML node tree of `text`, or a problem with its place."""
    if not text.strip():
        raise _problem(path, "the registry file is empty")
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "<document start>" in what:
            directives = [
                at
                for at in (text.count("\n", 0, d.start()) + 1 for d in _DIRECTIVE.finditer(text))
                if at <= line
            ]
            if directives:
                what += (
                    f"; a '%' directive (line {directives[-1]}) must stand before a line '---' "
                    "that starts the document"
                )
        raise _problem(path, f"YAML syntax: {what}", line, column) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _problem(
            path, f"YAML syntax: control character U+{code:04X} is not allowed", line, column
        ) from None
    except yaml.YAMLError as exc:
        raise _problem(path, f"YAML syntax: {exc}") from None
    except RecursionError:
        raise _problem(path, "YAML syntax: nested too deeply") from None
    if node is None:
        raise _problem(path, "the registry file holds no YAML document")
    return node


# --- editing one record ----------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f .,;()'/+-]*")
_RESOLVER = yaml.resolver.Resolver()
# Characters YAML lets stand as they are in a quoted scalar. U+2028 and U+2029 are left
# out: YAML reads them as line breaks, so they are written as escapes.
_PRINTABLE = re.compile(
    "[\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def count_lines(text: str, start: int = 0, end: int | None = None) -> int:
    """Line breaks in text[start:end] as YAML counts them (and so its line numbers)."""
    return len(_LINE_BREAK.findall(text, start, len(text) if end is None else end))


def _resolved_tag(value: str) -> str:
    """The tag a plain scalar would get when read back: 'yes' is a bool, '2021' an int."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly this text."""
    if (
        _PLAIN.fullmatch(value)
        and not value.endswith(" ")
        and _resolved_tag(value) == "tag:yaml.org,2002:str"
    ):
        return value
    out = []
    for char in value:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif _PRINTABLE.fullmatch(char) and char != "\r":
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def splice_change(text: str, layout: RecordLayout, change: StatusChange, record: str) -> str:
    """`text` with one record's status replaced and `change` appended to its history.

    Only characters inside the record change; everything else, comments and blank lines
    included, is kept as it was.
    """
    if layout.history_insert < 0:
        raise WrrtrackError(
            f"{record}: its history is written as an inline list; "
            "write it as a block list (one '- date: …' entry per line) to change it"
        )
    newline = "\r\n" if "\r\n" in text[layout.start : layout.end] else "\n"
    indent = " " * layout.entry_indent
    lines = [f"{layout.entry_prefix}date: {change.date.isoformat()}"]
    lines.append(f"{indent}status: {change.status}")
    for name in ("note", "by", "source"):
        value = getattr(change, name)
        if value is not None:
            lines.append(f"{indent}{name}: {yaml_scalar(value)}")
    entry = newline.join(lines) + newline
    at = layout.history_insert
    if at == len(text) and text and not text.endswith("\n"):
        entry = newline + entry
    edits = sorted(
        [(layout.status_start, layout.status_end, change.status), (at, at, entry)],
        reverse=True,
    )
    for start, end, replacement in edits:
        text = text[:start] + replacement + text[end:]
    return text


# --- writing a whole registry ------------------------------------------------------------


def render_registry(ledger: Ledger, header: str = "") -> str:
    """A new registry file for `ledger`, in the layout the shipped registry uses.

    Used to create registries (new files, generated benchmarks, tests); an existing file is
    never re-rendered: changes to it go through `splice_change`, which keeps its layout.
    """
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    report = ledger.report
    out += [
        "format: 1",
        "",
        "report:",
        f"  publisher: {yaml_scalar(report.publisher)}",
        f"  number: {yaml_scalar(report.number)}",
        f"  title: {yaml_scalar(report.title)}",
        f"  date: {report.date.isoformat()}",
        "  reaction:",
        f"    reference: {yaml_scalar(report.reaction.reference)}",
        f"    date: {report.reaction.date.isoformat()}",
        f"    source: {yaml_scalar(report.reaction.source)}",
    ]
    if report.context:
        out.append("  context:")
        out += [f"    - {yaml_scalar(sentence)}" for sentence in report.context]
    out += ["", "vocabularies:"]
    for section in ("themes", "actors", "stances", "statuses"):
        vocabulary = ledger.vocabularies.by_section(section)
        added = [t for t in vocabulary if t not in DEFAULTS[section].terms]
        if not added:
            continue
        out.append(f"  {section}:")
        for term in added:
            out.append(f"    {term.key}:")
            out.append(f"      nl: {yaml_scalar(term.nl)}")
            out.append(f"      en: {yaml_scalar(term.en)}")
            if term.aliases:
                out.append(f"      aliases: [{', '.join(map(yaml_scalar, term.aliases))}]")
    if out[-1] == "vocabularies:":
        out.pop()
    out += ["", "recommendations:"]
    for rec in ledger.recommendations:
        out += [
            f"  - id: {yaml_scalar(rec.id)}",
            f"    title: {yaml_scalar(rec.title)}",
            f"    theme: {rec.theme}",
            f"    stance: {rec.stance}",
            f"    actors: [{', '.join(rec.actors)}]",
            f"    status: {rec.status}",
            "    quotes:",
            *(f"      - {yaml_scalar(quote)}" for quote in rec.quotes),
            "    history:",
        ]
        for change in rec.history:
            out.append(f"      - date: {change.date.isoformat()}")
            out.append(f"        status: {change.status}")
            for name in ("note", "by", "source"):
                value = getattr(change, name)
                if value is not None:
                    out.append(f"        {name}: {yaml_scalar(value)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
