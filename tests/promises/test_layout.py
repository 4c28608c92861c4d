"""The tests mirror the code: the tests of `src/wrrtrack/X.py` are in `tests/test_X.py`, of
`cli/_X.py` in `tests/cli/test_X.py`, of `render/X.py` in `tests/render/test_X.py` (a file
may be split by topic as `test_X_topic.py`); promises that cross modules are in
`tests/promises/`. Test modules share code through `conftest`, `helpers` and `strategies`
only, never by importing each other."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

SOURCE = ROOT / "src" / "wrrtrack"
TESTS = ROOT / "tests"
SHARED = {"tests", "tests.conftest", "tests.helpers", "tests.strategies"}

# Modules with no test file of their own, each with the file that tests it and why. Keep
# this short: a module that grows behaviour of its own gets its own test file.
TESTED_ELSEWHERE = {
    # The public names and their lazy import, checked with the `Registry` they export.
    "__init__.py": "test_registry.py",
    # `python -m wrrtrack`: run as a subprocess by the hostile-surroundings tests.
    "__main__.py": "promises/test_hostile.py",
    # The default author: a writer's `--by`, from git or the login name.
    "_author.py": "cli/test_writing_status_set.py",
    # Every exception is raised and named by the refusal that raises it; the public ones
    # are checked with the API.
    "_errors.py": "test_registry.py",
    # The reader of what `render/export.py` writes: tested as its round trips.
    "_export.py": "render/test_export.py",
    # A registry as it was in a git commit: what `changes` compares.
    "_git.py": "test_changes.py",
    # The generic YAML node reader under the schema: every placed problem.
    "_nodes.py": "test_schema.py",
    # Where each part lies in the text: what every splice of `_edit` relies on.
    "_places.py": "test_edit.py",
    # Reading a file or folder (bytes, cache, decoding, schema): the bad registries here,
    # the cache and the folder layout in their own files.
    "_reading.py": "test_schema.py",
    # The vocabularies are part of the domain model.
    "_vocabulary.py": "test_model.py",
    # `wrrtrack.toml` is read when the registry is found.
    "config.py": "test_discover.py",
    # Atomic writes with the file layer; the lock and torn writes in the guarantees.
    "storage.py": "test_yamlfile.py",
    # `main`: the in-process runner of every command test calls it.
    "cli/__init__.py": "cli/test_reading.py",
    # The Typer apps and the global options, used by every command.
    "cli/_app.py": "cli/test_reading.py",
    # Commands registered lazily, help reflowed: what a start imports.
    "cli/_build.py": "promises/test_startup.py",
    # The files `init` creates.
    "cli/_init.py": "cli/test_writing.py",
    # The shared options and their names, used by every command.
    "cli/_options.py": "cli/test_reading.py",
    # Where `--output` may write: refusals found by the hostile tester.
    "cli/_output.py": "promises/test_hostile_small.py",
    # Each command's output format: the formats of `list`, `show` and `history`.
    "cli/_present.py": "cli/test_reading.py",
    # `report`, `validate`, `export`, `schema`: tested with what they render.
    "cli/_publishing.py": "render/test_markdown.py",
    # The one failure table: no condition ends in a traceback.
    "cli/_runtime.py": "promises/test_hostile.py",
    # The pager and the spinner, at a (fake and real) terminal.
    "cli/_screen.py": "render/test_terminal.py",
    # The completion scripts, run in real shells.
    "cli/_shells.py": "promises/test_shell_completion.py",
    # stdout, stderr and `error:` lines: closed, full and broken streams.
    "cli/_streams.py": "promises/test_hostile.py",
    # `visible`: every character a terminal or a CI log would act on, escaped.
    "render/__init__.py": "promises/test_hostile_small.py",
    # The `changes` output, with what it shows.
    "render/changes.py": "test_changes.py",
    # The report's content, decided once for Markdown and HTML.
    "render/content.py": "render/test_markdown.py",
    # JSON, CSV and ids: the formats of the reading commands.
    "render/machine.py": "cli/test_reading.py",
    # Tab-separated lines and plain text: the same.
    "render/plain.py": "cli/test_reading.py",
    # What `validate` found, placed: the bad registries.
    "render/validation.py": "test_schema.py",
}


def own_test(module: Path) -> Path:
    """Where the tests of `module` (a path below src/wrrtrack) belong."""
    name = module.stem.lstrip("_")
    folder = module.parent.relative_to(SOURCE)
    return TESTS / folder / f"test_{name}.py"


def modules() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_its_test_file_or_says_where_it_is_tested() -> None:
    missing = []
    for module in modules():
        key = module.relative_to(SOURCE).as_posix()
        if key in TESTED_ELSEWHERE:
            assert (TESTS / TESTED_ELSEWHERE[key]).is_file(), key
            # A module that has its own test file is taken off the list.
            assert not own_test(module).is_file(), f"{key}: remove it from TESTED_ELSEWHERE"
        elif not own_test(module).is_file():
            missing.append(f"{key}: {own_test(module).relative_to(ROOT)}")
    assert missing == []
    known = {m.relative_to(SOURCE).as_posix() for m in modules()}
    assert set(TESTED_ELSEWHERE) - known == set()


def test_every_test_file_outside_the_promises_is_named_after_a_module() -> None:
    names = {(m.parent, m.stem.lstrip("_")) for m in modules()}
    strays = []
    for test in sorted(TESTS.rglob("test_*.py")):
        folder = test.parent.relative_to(TESTS)
        if folder.parts[:1] == ("promises",):
            continue
        stem = test.stem.removeprefix("test_")
        # `test_writing_status_set.py` is a topic of `_writing.py`.
        prefixes = {"_".join(stem.split("_")[:n]) for n in range(1, len(stem.split("_")) + 1)}
        if not any((SOURCE / folder, p) in names for p in prefixes):
            strays.append(test.relative_to(ROOT).as_posix())
    assert strays == []


def test_no_test_module_imports_another() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported = [node.module]
                if node.module == "tests":
                    imported = [f"tests.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            found += [
                f"{path.relative_to(ROOT)}: {name}"
                for name in imported
                if name.split(".")[0] == "tests" and name not in SHARED
            ]
    assert found == []
