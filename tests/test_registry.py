"""The Python API: a script gets what the command line gets, through `import wrrtrack`."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path, PureWindowsPath

import pytest

import wrrtrack
from tests.conftest import SHIPPED, Runner
from wrrtrack import (
    Filter,
    InvalidChange,
    Registry,
    StatusUpdate,
    UnknownTerm,
    Validation,
)

BROKEN = Path(__file__).resolve().parent.parent / "docs" / "examples" / "broken-registry.yaml"


def test_every_public_name_is_importable_and_private_modules_look_private() -> None:
    for name in wrrtrack.__all__:
        assert getattr(wrrtrack, name) is not None
    package = Path(wrrtrack.__file__).parent
    public = sorted(
        p.name for p in package.glob("*.py") if not p.name.startswith("_") and p.name != "py.typed"
    )
    # The pre-commit hook, and modules that are to follow the others behind an underscore.
    assert public == ["clock.py", "config.py", "discover.py", "hook.py", "storage.py"]
    # The console script's package: `main` (and `app`); every module inside is private.
    assert [p.name for p in (package / "cli").glob("[!_]*.py")] == []


def test_public_classes_are_shown_as_the_api_names_them() -> None:
    """Every exception and result type of `Registry` is importable from `wrrtrack`, and
    shows as `wrrtrack.Name`, not as the private module it is defined in."""
    for name in ("EvidenceRefused", "SourceRefused", "SourceUpdate", "Validation", "Source"):
        assert name in wrrtrack.__all__
    for name in ("ConfigError", "WorkingDirectoryGone"):
        assert issubclass(getattr(wrrtrack, name), wrrtrack.WrrtrackError)
    classes = [getattr(wrrtrack, name) for name in wrrtrack.__all__ if name != "__version__"]
    assert [c.__module__ for c in classes] == ["wrrtrack"] * len(classes)
    assert repr(wrrtrack.Registry) == "<class 'wrrtrack.Registry'>"
    # The old homes of moved exceptions still name the same class.
    from wrrtrack.config import ConfigError
    from wrrtrack.discover import WorkingDirectoryGone

    assert (ConfigError, WorkingDirectoryGone) == (
        wrrtrack.ConfigError,
        wrrtrack.WorkingDirectoryGone,
    )


def test_filter_takes_one_key_as_a_string_never_as_its_characters() -> None:
    registry = Registry.open(SHIPPED)
    assert Filter(statuses="open") == Filter(statuses={"open"})
    # 'in-uitvoering' holds 'open'? No: as a set of characters it would match nothing, and
    # as a substring test ("open" in "in-verkenning-open") it would match by accident.
    assert [r.id for r in registry.select(Filter(statuses="in-uitvoering"))] == [
        "wrr103-3",
        "wrr103-4",
        "wrr103-5",
    ]
    assert [r.id for r in registry.select(Filter(actors="acvz"))] == ["wrr103-7"]
    with pytest.raises(TypeError, match="takes keys as strings"):
        Filter(actors=[1])  # type: ignore[list-item]


def test_select_resolves_aliases_and_case_as_the_command_line_does(cli: Runner) -> None:
    registry = Registry.open(SHIPPED)
    by_alias = registry.select(Filter(actors={"municipalities"}, statuses=["In-Progress"]))
    assert [r.id for r in by_alias] == ["wrr103-4"]
    command = cli("-r", SHIPPED, "list", "--actor", "municipalities", "--status", "in-progress")
    assert command.out.split("\t")[0] == "wrr103-4"
    with pytest.raises(UnknownTerm) as info:
        registry.select(Filter(themes="geen-thema"))
    assert info.value.vocabulary == "theme"
    assert "migratiebeleid" in info.value.valid


def test_validate_is_one_call_with_the_problems_of_the_command_line(cli: Runner) -> None:
    result = Registry(BROKEN).validate()
    assert isinstance(result, Validation)
    assert not result.ok
    text = cli("-r", BROKEN, "validate").err.splitlines()
    assert [f"error: {problem}" for problem in result.problems] == text[:-1]
    assert [(p.item, p.field) for p in result.problems] == [
        ("wrr103-3", "stance"),
        ("wrr103-5", "history[1].date"),
        ("wrr103-7", "quotes[1]"),
    ]
    shipped = Registry(SHIPPED).validate()
    assert (shipped.ok, shipped.recommendations, shipped.quotes) == (True, 7, 44)


def test_validate_never_raises_for_what_the_file_holds(registry: Path) -> None:
    registry.write_bytes(b"\xef\xbb\xbfformat: 1\n")
    (problem,) = Registry(registry).validate().problems
    assert "byte-order mark" in problem.message
    registry.write_text("- a\n", encoding="utf-8")
    (problem,) = Registry(registry).validate().problems
    assert problem.message == "registry: expected a mapping, got a list"


def test_validate_json_lists_every_problem_as_an_object(cli: Runner) -> None:
    result = cli("-r", BROKEN, "validate", "--format", "json")
    assert result.code == 1
    assert result.err == ""
    problems = json.loads(result.out)
    assert problems[0] == {
        "file": str(BROKEN),
        "line": 63,
        "column": 13,
        "item": "wrr103-3",
        "field": "stance",
        "message": "wrr103-3.stance: unknown stance 'positive'; did you mean 'positief'? "
        "valid: onderschreven, eens-met-voorbehoud, positief, toegezegd, doorverwezen, "
        "afgewezen, geen-reactie",
    }
    assert [p["line"] for p in problems] == [63, 96, 120]
    ok = cli("-r", SHIPPED, "validate", "--format", "json")
    assert (ok.code, json.loads(ok.out)) == (0, [])


def test_validate_github_prints_one_workflow_command_per_problem(
    cli: Runner, registry: Path
) -> None:
    result = cli("-r", BROKEN, "validate", "-f", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 3
    assert lines[1] == (
        f"::error file={BROKEN.as_posix()},line=96,col=15::"
        "wrr103-5.history[1].date: 2021-02-30 is not a real calendar date"
    )
    # Text from the registry cannot end the command early or start another one.
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("actors: [acvz, rijk]", 'actors: [acvz, "x%0A::error::y\\n::warning::z"]'),
        encoding="utf-8",
    )
    (line,) = cli("-r", registry, "validate", "-f", "github").out.splitlines()
    assert line.startswith(f"::error file={registry.as_posix()},line=")
    assert "unknown actor 'x%250A::error::y\\n::warning::z'" in line


def test_github_annotations_name_files_with_slashes_also_on_windows() -> None:
    """GitHub names a repository's files with `/`; a Windows runner's paths have `\\`."""
    from wrrtrack._errors import Location, Problem
    from wrrtrack._registry import Validation
    from wrrtrack.render.validation import github_annotations

    path = PureWindowsPath("data\\recommendations.yaml")
    placed = Problem(Location(path, 3, 5), "wrr103-1.theme: unknown theme 'x'")
    unplaced = Problem(None, "the file is empty")
    result = Validation(path, [unplaced, placed], 0, 0, None)
    assert github_annotations(result) == (
        "::error file=data/recommendations.yaml::the file is empty\n"
        "::error file=data/recommendations.yaml,line=3,col=5::wrr103-1.theme: unknown theme 'x'\n"
    )


def test_set_status_returns_before_and_after(registry: Path) -> None:
    update = Registry.open(registry).set_status(
        "wrr103-3", "implemented", note="Klaar", on=date(2026, 1, 2), by="x"
    )
    assert isinstance(update, StatusUpdate)
    assert (update.before.status, update.after.status) == ("in-uitvoering", "uitgevoerd")
    assert update.change == update.after.history[-1]
    assert update.change.note == "Klaar"


def test_library_errors_name_fields_not_command_line_options(registry: Path) -> None:
    opened = Registry.open(registry)
    with pytest.raises(InvalidChange) as info:
        opened.set_status("wrr103-5", "in-uitvoering", on=date(2026, 1, 2), by="x")
    assert info.value.field == "note"
    assert "--" not in str(info.value)
    assert "add 'note' to record a note" in str(info.value)
    with pytest.raises(InvalidChange, match="'by' must be non-empty") as blank:
        opened.set_status("wrr103-5", "vervallen", by=" ")
    assert blank.value.field == "by"


@pytest.mark.parametrize("value", ["\udcff", "naam \ud800"])
def test_text_that_cannot_be_saved_is_refused(
    cli: Runner, registry: Path, value: str, tmp_path: Path
) -> None:
    before = registry.read_bytes()
    with pytest.raises(InvalidChange, match="'note' must be non-empty, valid text"):
        Registry.open(registry).set_status("wrr103-1", "uitgevoerd", note=value, by="x")
    result = cli("-r", registry, "status", "set", "wrr103-1", "uitgevoerd", "--by", value)
    assert (result.code, result.err) == (1, "error: --by must be non-empty, valid text\n")
    assert registry.read_bytes() == before


def test_the_library_modules_import_each_other_without_a_cycle() -> None:
    """Layers you can see: no private module imports one that imports it back (at the top
    or inside a function). The command line sits on top of them all."""
    import ast

    package = Path(wrrtrack.__file__).parent
    names = {path.stem for path in package.glob("*.py")} - {"__init__", "__main__", "cli", "hook"}
    imports: dict[str, set[str]] = {}
    for name in names:
        found = set()
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "wrrtrack":
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wrrtrack."):
                found.add((node.module or "").split(".")[1])
        imports[name] = found & names - {name}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            other == goal or (other not in seen and reaches(other, goal, seen | {other}))
            for other in imports[start]
        )

    assert sorted(name for name in names if reaches(name, name, {name})) == []


def test_the_python_api_guide_lists_every_exported_name() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "python-api.md").read_text(encoding="utf-8")
    table = guide[guide.index("## What `wrrtrack` exports") :]
    listed = set(re.findall(r"`(\w+)`", table)) & set(wrrtrack.__all__)
    assert sorted(set(wrrtrack.__all__) - {"__version__"} - listed) == []
