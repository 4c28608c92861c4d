"""The registry as plain data (the export document), and that data back as the model.

The export document is what `wrrtrack export --format json|toml` writes: every value of the
model (reports, vocabularies, recommendations with their quotes and history, and whatever
the model holds besides), in lists and mappings of text, numbers and dates. It is made from
the model's own classes (named tuples and dataclasses, read field by field with their type
hints), so a field added to the model is exported, and imported, without a change here.

Its shape: `{"wrrtrack_export": 1, "reports": [...], "vocabularies": {...},
"recommendations": [...], …}`. Reports are a list, each with its `key`; every
recommendation names its report's key under `report`. Absent values (a history entry
without a note) are `None`, or, for TOML, which has no null, left out: reading back, a
missing optional value is absent, and a required one is an error.

No I/O here: `render.export` writes the formats, and `read_document` reads one back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import types
import typing
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from wrrtrack import _model, _vocabulary
from wrrtrack._errors import Problem, RegistryInvalid
from wrrtrack._model import AdviceReport, Ledger, Reaction, Recommendation, Source, StatusChange

EXPORT_VERSION = 1
MARK = "wrrtrack_export"  # the first key of every export document, holding its version
# The names the model's annotations are written in, looked up there alone: its classes are
# shown as `wrrtrack.X` (`_errors.public`), so `get_type_hints` cannot find their module,
# and a field named as its type (`date: date`) must not hide the type.
_MODEL = {**vars(_vocabulary), **vars(_model)}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLUG_GAP = re.compile(r"[^a-z0-9]+")

T = TypeVar("T")


def report_key(report: AdviceReport) -> str:
    """The report's key: as the registry gives it, else its publisher and number as a
    lower-case slug (`wrr-103`)."""
    if report.key:
        return report.key
    return _SLUG_GAP.sub("-", f"{report.publisher}-{report.number}".casefold()).strip("-")


# --- model to data -----------------------------------------------------------------------


def _fields(cls: type) -> list[str]:
    """The names a value of `cls` is built from, in order (a dataclass's init fields)."""
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls) if f.init]
    return list(cls._fields)  # type: ignore[attr-defined]


def _is_record(value: object) -> bool:
    cls = type(value)
    return dataclasses.is_dataclass(cls) or (isinstance(value, tuple) and hasattr(cls, "_fields"))


# Fields added after the export's first version, written only when the registry gives
# them: the export of a registry without them stays what it was, and reads back the same.
_ONLY_WHEN_GIVEN = {
    (Reaction, "label"),
    (Recommendation, "due"),
    (Recommendation, "review"),
    (StatusChange, "relation"),
}
# Flags added later, written only when set (a term's `final`, a source's `excerpt`): read
# back, absent is false.
_ONLY_WHEN_SET = {(_vocabulary.Term, "final"), (Source, "excerpt")}


def plain(value: Any, *, dates: bool = False, nulls: bool = True) -> Any:
    """A model value as lists, mappings, text, numbers and (with `dates`) dates.

    Dates become ISO text unless `dates` (TOML has dates of its own); with `nulls` False,
    absent values are left out of their mapping instead of written as None.
    """
    if _is_record(value):
        cls = type(value)
        pairs = (
            (name, plain(getattr(value, name), dates=dates, nulls=nulls)) for name in _fields(cls)
        )
        return {
            name: item
            for name, item in pairs
            if (item is not None or (nulls and (cls, name) not in _ONLY_WHEN_GIVEN))
            and (item is not False or (cls, name) not in _ONLY_WHEN_SET)
        }
    if isinstance(value, tuple | list):
        return [plain(item, dates=dates, nulls=nulls) for item in value]
    if isinstance(value, date):
        return value if dates else value.isoformat()
    return value


def to_document(
    ledger: Ledger, *, reports: Iterable[str] = (), dates: bool = False, nulls: bool = True
) -> dict[str, Any]:
    """The export document of `ledger`, for the report keys in `reports` (all when empty).

    Keys are matched case-insensitively; they must be keys of the ledger (see `select`).
    Vocabularies and every other part of the registry that belongs to no one report are
    exported whole.
    """

    def value(item: Any) -> Any:
        return plain(item, dates=dates, nulls=nulls)

    document: dict[str, Any] = {MARK: EXPORT_VERSION}
    wanted = _wanted(reports)
    document["reports"] = [
        {"key": report_key(report), **value(report)}
        for report in ledger.reports
        if not wanted or report_key(report).casefold() in wanted
    ]
    for name in _fields(Ledger):
        if name == "reports":
            continue
        if name == "recommendations":
            recs = selected(ledger, reports)
            document[name] = [{"report": rec.report, **value(rec)} for rec in recs]
        elif name == "local":  # the keys only some reports may use, with those reports
            document[name] = {
                section: {key: sorted(owners) for key, owners in keys.items()}
                for section, keys in ledger.local.items()
            }
        else:
            document[name] = value(getattr(ledger, name))
    return document


def _wanted(reports: Iterable[str]) -> set[str]:
    return {key.casefold() for key in reports}


def selected(ledger: Ledger, reports: Iterable[str] = ()) -> tuple[Recommendation, ...]:
    """The recommendations of the reports whose keys are in `reports` (all when empty)."""
    wanted = _wanted(reports)
    return tuple(rec for rec in ledger.recommendations if not wanted or rec.report in wanted)


def report_keys(ledger: Ledger) -> list[str]:
    """The keys of the ledger's reports, in order."""
    return [report_key(report) for report in ledger.reports]


# --- data to model -----------------------------------------------------------------------


class _Reader:
    """Builds model values from plain data by the model's type hints; collects problems."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(None, f"{where}: {message}", None, where))

    def record(self, cls: type[T], data: Any, where: str, skip: Iterable[str] = ()) -> T | None:
        if not isinstance(data, dict):
            self.problem(where, f"expected a mapping, got {_kind(data)}")
            return None
        hints = get_type_hints(cls, _MODEL, _MODEL)
        names = _fields(cls)
        unknown = set(data) - set(names) - set(skip)
        for name in sorted(unknown):
            self.problem(where, f"unknown field '{name}'")
        values: dict[str, Any] = {}
        wrong = bool(unknown)
        for name in names:
            hint = hints[name]
            if name not in data:
                defaults = getattr(cls, "_field_defaults", {})
                if name in defaults and not _optional(hint):  # added later: as before then
                    values[name] = defaults[name]
                    continue
                if not _optional(hint):
                    self.problem(where, f"missing field '{name}'")
                    wrong = True
                values[name] = None
                continue
            try:
                values[name] = self.value(hint, data[name], f"{where}.{name}")
            except _Wrong:
                wrong = True
        return None if wrong else cls(**values)

    def value(self, hint: Any, data: Any, where: str) -> Any:
        origin = get_origin(hint)
        if origin in (Union, types.UnionType):
            options = [arg for arg in get_args(hint) if arg is not type(None)]
            if data is None and len(options) < len(get_args(hint)):
                return None
            (hint,) = options
            origin = get_origin(hint)
        if origin is tuple:
            if not isinstance(data, list):
                self.fail(where, f"expected a list, got {_kind(data)}")
            item = get_args(hint)[0]
            items = []
            wrong = False
            for i, entry in enumerate(data):
                try:
                    items.append(self.value(item, entry, f"{where}[{i + 1}]"))
                except _Wrong:
                    wrong = True
            if wrong:
                raise _Wrong
            return tuple(items)
        if hint is date:
            return self.day(data, where)
        if hint in (str, int, bool):
            if type(data) is not hint:
                self.fail(where, f"expected {_KINDS[hint]}, got {_kind(data)}")
            return data
        built = self.record(hint, data, where)
        if built is None:
            raise _Wrong
        return built

    def day(self, data: Any, where: str) -> date:
        """A date: TOML's own (not a date with a time), or text written YYYY-MM-DD."""
        if type(data) is date:
            return data
        if isinstance(data, str) and _DATE.fullmatch(data):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(data)
        return self.fail(where, f"expected a date (YYYY-MM-DD), got {_kind(data)}")

    def fail(self, where: str, message: str) -> typing.NoReturn:
        self.problem(where, message)
        raise _Wrong


class _Wrong(Exception):
    """A value that could not be read (its problem is already recorded)."""


_KINDS = {str: "text", int: "a number", bool: "true/false"}


def _optional(hint: Any) -> bool:
    return get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint)


def _kind(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def read_document(data: Any) -> Ledger:
    """The model an export document holds; `RegistryInvalid` lists every problem.

    The document must be a whole export (every report): a filtered one (`--report`) lacks
    the rest of the registry, so it cannot be the registry's model.
    """
    if not isinstance(data, dict) or data.get(MARK) != EXPORT_VERSION:
        message = f"not a wrrtrack export: the document has no '{MARK}: {EXPORT_VERSION}'"
        raise RegistryInvalid([Problem(None, message)])
    reader = _Reader()
    fields = {name: value for name, value in data.items() if name != MARK}
    listed = fields.pop("reports", None)
    if not isinstance(listed, list):
        reader.problem("reports", "expected a list of reports")
        raise RegistryInvalid(reader.problems)
    reports = []
    for i, data_ in enumerate(listed):
        report = reader.record(AdviceReport, data_, f"reports[{i + 1}]")
        if report is not None:
            reports.append(report)
    keys = [report.key for report in reports]
    recs = fields.get("recommendations")
    if isinstance(recs, list):
        for i, rec in enumerate(recs):
            if isinstance(rec, dict) and rec.get("report") not in keys:
                reader.problem(
                    f"recommendations[{i + 1}].report",
                    f"must be the key of a report: {', '.join(keys) or 'none'}",
                )
    local = fields.pop("local", {})
    hints = get_type_hints(Ledger, _MODEL, _MODEL)
    values: dict[str, Any] = {"reports": tuple(reports), "local": _local(local, reader)}
    for name in _fields(Ledger):
        if name in ("reports", "local"):
            continue
        if name not in fields:
            reader.problem(name, "missing")
            continue
        with contextlib.suppress(_Wrong):
            values[name] = reader.value(hints[name], fields.pop(name), name)
    for name in sorted(fields):
        reader.problem(name, "unknown field")
    if reader.problems:
        raise RegistryInvalid(reader.problems)
    return Ledger(**values)


def _local(data: Any, reader: _Reader) -> dict[str, dict[str, frozenset[str]]]:
    """`local` of an export: section -> key -> the reports that may use it."""
    if not isinstance(data, dict) or not all(
        isinstance(keys, dict) and all(isinstance(r, list) for r in keys.values())
        for keys in data.values()
    ):
        reader.problem("local", "expected vocabularies of keys, each with a list of reports")
        return {}
    return {
        section: {key: frozenset(owners) for key, owners in keys.items()}
        for section, keys in data.items()
    }
