"""The registry as YAML text: composing it safely, writing values as YAML, rendering a file.

Reading never constructs Python objects from YAML: the text is *composed* into nodes (which
keep their line and column) and the schema walks those nodes. A `!!python/...` tag is
therefore only ever a string to complain about, and an alias is a shared node, never an
expansion.

Writing goes the other way: `yaml_scalar` writes text that reads back as exactly that text,
and `block_lines` writes records, history entries and vocabulary terms in the layout of the
shipped registry. `_edit` splices those lines into a file; `render_registry` writes a new
one. (The bytes on disk are `storage`'s business.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import yaml

from wrrtrack._errors import Location, Problem, RegistryInvalid
from wrrtrack._model import (
    AdviceReport,
    Label,
    Ledger,
    Recommendation,
    Source,
    StatusChange,
    derived_key,
)
from wrrtrack._vocabulary import DEFAULTS, STATUSES, Term

T = TypeVar("T")

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
    """The YAML node tree of `text` (one document), or a problem with its place."""
    node = _composed(path, text, lambda: yaml.compose(text, Loader=Loader))
    if node is None:
        raise _problem(path, "the registry file holds no YAML document")
    return node


def compose_all(path: Path, text: str, *, named: bool = False) -> list[yaml.Node]:
    """The node tree of each YAML document in `text` (`---` between them), or a problem
    with its place. Marks are places in the whole text; with `named`, every mark's `name`
    is `str(path)` (one file of a folder registry: its nodes say which file they are in)."""
    nodes = _composed(path, text, lambda: _documents(text, str(path) if named else None))
    if not nodes:
        raise _problem(path, "the registry file holds no YAML document")
    for node in nodes:
        if node is None:
            raise _problem(path, "the registry file holds an empty YAML document")
    return nodes


def _documents(text: str, name: str | None) -> list[yaml.Node]:
    if name is None:
        loader = Loader(text)
    else:  # a stream's name is what both parsers put in every mark
        import io

        stream = io.StringIO(text)
        stream.name = name
        loader = Loader(stream)
    try:
        nodes: list[yaml.Node] = []
        while loader.check_node():
            nodes.append(loader.get_node())  # type: ignore[arg-type]  # None only at the end
        return nodes
    finally:
        loader.dispose()


def _composed(path: Path, text: str, composer: Callable[[], T]) -> T:
    if not text.strip():
        raise _problem(path, "the registry file is empty")
    try:
        node = composer()
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
    return node


# --- values as YAML text ----------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f .,;()'/+-]*")
_RESOLVER = yaml.resolver.Resolver()
# Characters YAML lets stand as they are in a quoted scalar. U+2028 and U+2029 are left
# out: YAML reads them as line breaks, so they are written as escapes. So are the
# direction marks (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069): written raw, they would
# reorder what `cat` and `git diff` show of the file.
_PRINTABLE = re.compile(
    "[\x09\x0a\x0d\x20-\x7e\xa0-\u200d\u2010-\u2027\u202f-\u2065\u206a-\ud7ff"
    "\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def first_line_break(text: str, start: int = 0, end: int | None = None) -> str | None:
    """The first line break in text[start:end] (CR LF as one), None when there is none."""
    found = _LINE_BREAK.search(text, start, len(text) if end is None else end)
    return found.group() if found else None


def count_lines(text: str, start: int = 0, end: int | None = None) -> int:
    """Line breaks in text[start:end] as YAML counts them (and so its line numbers)."""
    return len(_LINE_BREAK.findall(text, start, len(text) if end is None else end))


def _resolved_tag(value: str) -> str:
    """The tag a plain scalar would get when read back: 'yes' is a bool, '2021' an int."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


def yaml_scalar(value: str, *, flow: bool = False) -> str:
    """`value` as a YAML scalar that reads back as exactly this text.

    With `flow`, for use inside `[…]` or `{…}`, where a comma would end the value.
    """
    if (
        _PLAIN.fullmatch(value)
        and not (flow and "," in value)
        and not value.endswith(" ")
        and _resolved_tag(value) == "tag:yaml.org,2002:str"
    ):
        return value
    return _quoted(value)


def _quoted(value: str) -> str:
    """`value` as a double-quoted YAML scalar (escapes where YAML needs them)."""
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


_PLAIN_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def yaml_key(key: str) -> str:
    """`key` as a mapping key that reads back as exactly this text: plain when PyYAML's
    resolver reads it so (`theme`, `nl`), quoted when it would read as anything else
    (`2030` an int, `2024-01-01` a date, `no` a bool, `0x10`, `~`, `.inf`, …)."""
    if _PLAIN_KEY.fullmatch(key) and _resolved_tag(key) == "tag:yaml.org,2002:str":
        return key
    return _quoted(key)


class FlowMapping(NamedTuple):
    """A mapping written on one line, `{nl: …, en: …}`, as the shipped vocabularies are."""

    pairs: tuple[tuple[str, str | tuple[str, ...]], ...]


# What `block_lines` writes: YAML scalar text, a flow list (tuple), a flow mapping, a block
# mapping (dict) or a block list (list).
Value = Any


def _inline(value: Value) -> str:
    if isinstance(value, FlowMapping):  # before tuple: a named tuple is a tuple
        pairs = (f"{yaml_key(key)}: {_inline(item)}" for key, item in value.pairs)
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def block_lines(mapping: dict[str, Value], prefix: str, indent: int) -> list[str]:
    """A block mapping as lines: the first key after `prefix`, the others at column `indent`.

    Nested block mappings and lists are indented by two more columns, list entries start
    with `- `, as in the shipped registry.
    """
    out = []
    lead = prefix
    for key, value in mapping.items():
        if isinstance(value, dict):
            out.append(f"{lead}{yaml_key(key)}:")
            out += block_lines(value, " " * (indent + 2), indent + 2)
        elif isinstance(value, list):
            out.append(f"{lead}{yaml_key(key)}:")
            entry = " " * (indent + 2) + "- "
            for item in value:
                if isinstance(item, dict):
                    out += block_lines(item, entry, indent + 4)
                else:
                    out.append(entry + _inline(item))
        else:
            out.append(f"{lead}{yaml_key(key)}: {_inline(value)}")
        lead = " " * indent
    return out


def change_mapping(change: StatusChange) -> dict[str, Value]:
    """A history entry as `block_lines` writes it."""
    entry: dict[str, Value] = {
        "date": change.date.isoformat(),
        "status": yaml_scalar(change.status),
    }
    for name in ("relation", "note", "by", "source"):
        value = getattr(change, name)
        if value is not None:
            entry[name] = yaml_scalar(value)
    if change.quotes:
        entry["quotes"] = [yaml_scalar(quote) for quote in change.quotes]
    return entry


def source_mapping(source: Source) -> dict[str, Value]:
    """A source record as `block_lines` writes it; unknown facts are left out."""
    entry: dict[str, Value] = {"id": yaml_scalar(source.id)}
    for name in ("title", "publisher", "date", "kind", "url", "file", "sha256"):
        value = getattr(source, name)
        if value is not None:
            entry[name] = value.isoformat() if name == "date" else yaml_scalar(value)
    if source.excerpt:  # absent: the whole document, as every source written before it
        entry["excerpt"] = "true"
    return entry


def record_mapping(rec: Recommendation) -> dict[str, Value]:
    """A recommendation as `block_lines` writes it."""
    return {
        "id": yaml_scalar(rec.id),
        "title": yaml_scalar(rec.title),
        "theme": yaml_scalar(rec.theme),
        "stance": yaml_scalar(rec.stance),
        "actors": tuple(yaml_scalar(actor, flow=True) for actor in rec.actors),
        "status": yaml_scalar(rec.status),
        **{
            name: day.isoformat() for name, day in (("due", rec.due), ("review", rec.review)) if day
        },
        "quotes": [yaml_scalar(quote) for quote in rec.quotes],
        "history": [change_mapping(change) for change in rec.history],
    }


def term_mapping(term: Term) -> FlowMapping:
    """A vocabulary term (its labels and aliases) as `block_lines` writes it."""
    pairs: list[tuple[str, str | tuple[str, ...]]] = [*label_mapping(Label(term.nl, term.en)).pairs]
    if term.aliases:
        pairs.append(("aliases", tuple(yaml_scalar(a, flow=True) for a in term.aliases)))
    builtin = term.key in STATUSES and STATUSES.term(term.key).final
    if term.final != builtin:  # a built-in final status is final unless it says otherwise
        pairs.append(("final", "true" if term.final else "false"))
    return FlowMapping(tuple(pairs))


def label_mapping(label: Label) -> FlowMapping:
    """A name in both languages, on one line as a vocabulary term's labels are."""
    return FlowMapping(
        (("nl", yaml_scalar(label.nl, flow=True)), ("en", yaml_scalar(label.en, flow=True)))
    )


# --- writing a whole registry ------------------------------------------------------------


def report_mapping(report: AdviceReport) -> dict[str, Value]:
    """A report's description (not its key) as `block_lines` writes it."""
    described: dict[str, Value] = {"publisher": yaml_scalar(report.publisher)}
    if report.number is not None:
        described["number"] = yaml_scalar(report.number)
    described |= {
        "title": yaml_scalar(report.title),
        "date": report.date.isoformat(),
        "reaction": {
            "reference": yaml_scalar(report.reaction.reference),
            "date": report.reaction.date.isoformat(),
            **({"url": yaml_scalar(report.reaction.url)} if report.reaction.url else {}),
            "source": yaml_scalar(report.reaction.source),
            **({"label": label_mapping(report.reaction.label)} if report.reaction.label else {}),
        },
    }
    if report.context:
        described["context"] = [yaml_scalar(sentence) for sentence in report.context]
    return described


def document_lines(value: dict[str, Any]) -> list[str]:
    """One document of a registry file, without its `---`: `key`, `report` (an
    `AdviceReport`), `sources` (`Source`s) and `vocabularies` (section -> key -> `Term`),
    each when given."""
    out = []
    if "key" in value:
        out.append(f"key: {yaml_scalar(value['key'])}")
    if "report" in value:
        out += block_lines({"report": report_mapping(value["report"])}, "", 0)
    if value.get("sources"):
        out += block_lines({"sources": [source_mapping(s) for s in value["sources"]]}, "", 0)
    sections = {
        section: {key: term_mapping(term) for key, term in terms.items()}
        for section, terms in value.get("vocabularies", {}).items()
        if terms
    }
    if sections:
        out += block_lines({"vocabularies": sections}, "", 0)
    return out


def render_registry(ledger: Ledger, header: str = "") -> str:
    """A new registry file for `ledger`, in the layout the shipped registry uses: one
    document per report (`---` between them), each with its own vocabulary keys; the keys
    for every report, if any, in the first document.

    Used to create registries (new files, generated benchmarks, tests); an existing file is
    never re-rendered: changes to it go through `_edit`, which keeps its layout.
    """
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    out += block_lines({"format": "1"}, "", 0)
    local = ledger.local
    single = len(ledger.reports) == 1

    def declared(report: str | None) -> dict[str, dict[str, Term]]:
        sections: dict[str, dict[str, Term]] = {}
        for section in ("themes", "actors", "stances", "statuses"):
            owners = local.get(section, {})
            for term in ledger.vocabularies.by_section(section):
                if term in DEFAULTS[section].terms:
                    continue
                mine = (
                    report in owners.get(term.key, ())
                    if term.key in owners
                    else (single or report is None)
                )
                if mine:
                    sections.setdefault(section, {})[term.key] = term
        return sections

    if ledger.sources:  # every report's sources, in the first document
        out += ["", *block_lines({"sources": [source_mapping(s) for s in ledger.sources]}, "", 0)]
    shared = {} if single else declared(None)
    if shared:
        out += ["", *document_lines({"vocabularies": shared})]
    for n, report in enumerate(ledger.reports):
        if n or shared:
            out += ["", "---"]
        value: dict[str, Any] = {"report": report, "vocabularies": declared(report.key)}
        # One of several reports names its key (an editor's schema check reads each
        # document alone); a file of one report derives it, as the shipped one does.
        if report.key and (
            not single or report.key != derived_key(report.publisher, report.number)
        ):
            value["key"] = report.key
        lines = document_lines(value)
        vocab_at = next((i for i, line in enumerate(lines) if line == "vocabularies:"), None)
        if vocab_at is not None:
            lines.insert(vocab_at, "")
        out += ["", *lines] if n == 0 and not shared else lines
        recs = [rec for rec in ledger.recommendations if rec.report == report.key]
        if recs:
            out += ["", "recommendations:"]
            for rec in recs:
                out += [*block_lines(record_mapping(rec), "  - ", 4), ""]
    return "\n".join(out).rstrip("\n") + "\n"
