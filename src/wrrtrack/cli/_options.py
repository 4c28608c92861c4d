"""The options several commands share, each defined once, and how their values are read.

No `from __future__ import annotations` in the modules that define commands or options:
with it, Typer compiles and evaluates every parameter's annotation string each time it
builds the command line, which every command pays at start-up (it made building the
command four to six times slower). Names imported only for type checking are therefore
written in quotes.
"""

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from wrrtrack._errors import UnknownTerm
from wrrtrack._vocabulary import ACTORS, STANCES, STATUSES, Vocabulary
from wrrtrack.cli._completion import complete_ids, complete_reports, completed_by, key_completer
from wrrtrack.cli._streams import fail

if TYPE_CHECKING:
    from wrrtrack._model import Ledger
    from wrrtrack._registry import Registry

# The values of each option that takes one of a few words, as `Literal` types (Typer
# offers them as choices) rather than enums: creating eight enum classes cost every
# command about 1.5% of its start-up, and mypy checks a comparison with a value that is
# not among them all the same.
ListFormat = Literal["table", "tsv", "json", "csv", "md", "ids"]
ShowFormat = Literal["text", "json"]
TableFormat = Literal["table", "json"]
ValidateFormat = Literal["text", "json", "github"]
ReportFormat = Literal["md", "html"]
ExportFormat = Literal["json", "toml", "csv", "sqlite"]
ChangesFormat = Literal["table", "md", "json"]
Lang = Literal["nl", "en"]
VocabularyName = Literal["actors", "stances", "statuses", "themes"]


def vocabulary_choice() -> Any:
    """The parameter type of a vocabulary's name: one of `VocabularyName`, or its singular
    (`vocab add actor …`, as a user says it), which becomes the plural."""
    from typer._types import TyperChoice  # loaded with Typer's main module anyway

    class Vocabularies(TyperChoice[str]):
        def convert(self, value: Any, param: Any, ctx: Any) -> str:
            if isinstance(value, str) and f"{value}s" in self.choices:
                value = f"{value}s"
            elif value == "status":
                value = "statuses"
            return super().convert(value, param, ctx)

    return Vocabularies(["actors", "stances", "statuses", "themes"])


# --- the output options: --format, --json, --output, --lang ------------------------------


def format_option(help: str) -> Any:
    """`--format/-f`, whose values are the command's format type (`ListFormat`, …)."""
    return typer.Option("--format", "-f", help=help)


# `status history` and `sources`; `vocab` and `reports` say what piping does.
TableFormatOption = Annotated[TableFormat, format_option("table (for people) or json.")]
PipedTableFormatOption = Annotated[
    TableFormat, format_option("table (for people; piped, tab-separated) or json.")
]
JsonFlag = Annotated[
    bool, typer.Option("--json", help="The same as --format json: output for scripts.")
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to FILE (atomically) instead of stdout; '-' is stdout.",
        metavar="FILE",
    ),
]
LangOption = Annotated[
    Lang | None,
    typer.Option(
        "--lang", help="Headings and labels in Dutch or English; default: wrrtrack.toml, else nl."
    ),
]


# --- what is selected: ids, report keys, vocabulary filters, search ---------------------


def _keys_help(what: str, vocabulary: Vocabulary) -> str:
    return f"Only {what} (repeat for OR): {', '.join(vocabulary.choices())}."


RecommendationId = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The recommendation's id, e.g. wrr103-7.",
        click_type=completed_by(complete_ids),
        show_default=False,
    ),
]


def _filter(section: str, *names: str, help: str) -> Any:
    """A repeatable filter option that takes one vocabulary's keys (completed from it)."""
    completed = completed_by(key_completer(section))
    return typer.Option(*names, metavar="KEY", help=help, click_type=completed)


ActorOption = Annotated[
    list[str] | None, _filter("actors", "--actor", "-a", help=_keys_help("these actors", ACTORS))
]
StatusOption = Annotated[
    list[str] | None,
    _filter("statuses", "--status", "-s", help=_keys_help("this status", STATUSES)),
]
ThemeOption = Annotated[
    list[str] | None,
    _filter(
        "themes",
        "--theme",
        "-t",
        help="Only this theme (repeat for OR). Themes are declared by the registry itself, "
        "under vocabularies.themes; 'wrrtrack vocab themes' lists them.",
    ),
]
StanceOption = Annotated[
    list[str] | None,
    _filter("stances", "--stance", help=_keys_help("this cabinet stance", STANCES)),
]
SearchOption = Annotated[
    str | None,
    typer.Option(
        "--search",
        "-q",
        metavar="TEXT",
        help="Only where title, quotes or notes contain TEXT; case and accents are ignored "
        "(financiele finds financiële).",
    ),
]


def report_option(help: str) -> Any:
    """`--report KEY`, completed from the registry's report keys."""
    return typer.Option(
        "--report", metavar="KEY", help=help, click_type=completed_by(complete_reports)
    )


ReportOption = Annotated[
    list[str] | None,
    report_option(
        "Only this advisory report, by its key (repeat for OR); 'wrrtrack reports' lists them."
    ),
]


def date_option(*names: str, help: str) -> Any:
    """An option that takes a date, shown as YYYY-MM-DD in help and usage."""
    return typer.Option(*names, metavar="YYYY-MM-DD", help=help)


ByOption = Annotated[
    str | None,
    typer.Option(
        "--by", metavar="NAME", help="Who records it; default git user.name, else login name."
    ),
]


DueOption = Annotated[
    str | None,
    date_option(
        "--due", help="The deadline the government set itself (not before the report's date)."
    ),
]
ReviewOption = Annotated[
    str | None, date_option("--review", help="When you mean to look at it again.")
]
RelatedFlag = Annotated[
    bool,
    typer.Option(
        "--related",
        help="The source bears on the advice without presenting itself as a response to it.",
    ),
]
ResponseFlag = Annotated[
    bool,
    typer.Option("--response", help="The source presents itself as following up this advice."),
]


def relation_of(related: bool, response: bool) -> str | None:
    """The history entry's `relation` from `--related` and `--response` (None: neither)."""
    if related and response:
        raise typer.BadParameter(
            "give --related or --response, not both", param_hint="'--related' / '--response'"
        )
    return "related" if related else "response" if response else None


# --- reading the values -------------------------------------------------------------------

_ISO_DATE = r"\d{4}-\d{2}-\d{2}"  # compiled by `re` when a date is first given


def resolve(vocabulary: Vocabulary, given: list[str] | None, option: str) -> frozenset[str]:
    try:
        return frozenset(vocabulary.resolve(g) for g in given or ())
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


def report_keys(registry: "Registry | Ledger", given: list[str] | None) -> list[str]:
    """The report keys `--report` names, as the registry spells them, each once, in the
    order given (a usage error lists the keys when one is not known)."""
    try:
        return list(dict.fromkeys(registry.report_of(key).key for key in given or ()))
    except UnknownTerm as exc:
        raise typer.BadParameter(str(exc), param_hint="'--report'") from None


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(_ISO_DATE, value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a real date in the form YYYY-MM-DD", param_hint=f"'{option}'"
        ) from None


# The library names the arguments of its writers as the Python API does (`on`, `quotes`);
# the command line names them as the user typed them. Any other name `n` is `--n`.
OPTION_NAMES = {
    "on": "--date",
    "reaction_date": "--reaction-date",
    "source_file": "--source-file",
    "reaction_label": "--reaction-label-nl/--reaction-label-en",
    "id": "ID",
    "file": "--file",
    "identifiers": "ID",
    "key": "KEY",
    "quotes": "--quote",
    "actors": "--actor",
    "aliases": "--alias",
    "relation": "--related/--response",
}


def option_name(argument: str) -> str:
    """How the command line names the library's argument `argument`."""
    return OPTION_NAMES.get(argument, f"--{argument.replace('_', '-')}")


Returned = TypeVar("Returned")


def writing(call: Callable[[], Returned]) -> Returned:
    """Run a library writer; a refused change names the option, not the argument."""
    from wrrtrack._errors import InvalidChange

    try:
        return call()
    except InvalidChange as exc:
        fail([exc.spelled(option_name)])
