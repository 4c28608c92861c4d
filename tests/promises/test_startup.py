"""Start-up: a command imports only what it needs (speed itself is measured by make bench).

Each case runs a command in a fresh interpreter and lists the modules it loaded; import
sets are deterministic, unlike timings, so these tests cannot flake.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.conftest import SHIPPED, Runner
from wrrtrack.cli import app
from wrrtrack.cli._build import command as built_on_demand
from wrrtrack.cli._build import reflow

pytestmark = pytest.mark.slow

PROBE = """
import sys
from wrrtrack.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)))
"""


def modules_after(*args: str | Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


def loaded(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


# What piped `list` on a cached registry must not load, each with a command that does load
# it: a check on a module that no command loads could never fail.
KEPT_OUT_OF_LIST = {
    "rich": ("list", "--help"),
    "yaml": ("-r", SHIPPED, "--no-cache", "list"),
    "wrrtrack._schema": ("-r", SHIPPED, "--no-cache", "list"),
    "wrrtrack._nodes": ("-r", SHIPPED, "--no-cache", "list"),
    "wrrtrack._yamlfile": ("-r", SHIPPED, "--no-cache", "list"),
    "wrrtrack._quotes": ("-r", SHIPPED, "validate"),
    "wrrtrack.render.markdown": ("-r", SHIPPED, "report"),
    "wrrtrack.render.validation": ("-r", SHIPPED, "validate"),
    "unicodedata": ("-r", SHIPPED, "list", "--search", "financiele"),  # accents folded
}


def test_piped_list_on_a_cached_registry_loads_none_of_the_heavy_modules() -> None:
    modules_after("-r", SHIPPED, "list")  # fills the cache
    modules = modules_after("-r", SHIPPED, "list", "--actor", "gemeente")
    assert "wrrtrack._cache" in modules
    assert [heavy for heavy in KEPT_OUT_OF_LIST if loaded(modules, heavy)] == []
    # The pager and the spinner are for a terminal only (their tests load them in-process).
    assert not loaded(modules, "wrrtrack.cli._screen")


@pytest.mark.parametrize(("module", "command"), KEPT_OUT_OF_LIST.items())
def test_what_list_keeps_out_is_loaded_by_another_command(
    module: str, command: tuple[str | Path, ...]
) -> None:
    assert loaded(modules_after(*command), module)


COSTLY = """
import dataclasses, enum, re, sys
from wrrtrack.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
found = set()
for name, module in list(sys.modules.items()):
    if not name.startswith("wrrtrack"):
        continue
    for attribute, value in vars(module).items():
        if isinstance(value, re.Pattern):
            found.add(f"pattern:{name}.{attribute}")
        # A public class is shown as `wrrtrack.Name`, wherever it is defined.
        elif isinstance(value, type) and value.__module__ in (name, "wrrtrack"):
            if issubclass(value, enum.Enum):
                found.add(f"enum:{value.__module__}.{attribute}")
            elif dataclasses.is_dataclass(value):
                found.add(f"dataclass:{value.__module__}.{attribute}")
sys.stderr.write("\\nCOSTLY " + " ".join(sorted(found)))
"""


def test_piped_list_creates_nothing_costly_at_import() -> None:
    """What a module does when it is imported, every command that imports it pays for. A
    compiled regular expression costs a few tenths of a millisecond, an enum class or a
    dataclass (which compiles its methods from source) ten times a named tuple: the modules
    piped `list` loads keep patterns as text (compiled by `re` when first used), take
    choices as `Literal` types and records as named tuples. `Vocabulary` is left: it
    iterates over its terms, which a named tuple cannot."""
    modules_after("-r", SHIPPED, "list")  # fills the cache
    done = subprocess.run(
        [sys.executable, "-c", COSTLY, "-r", str(SHIPPED), "list", "--actor", "gemeente"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stderr.rsplit("COSTLY ", 1)[1].split() == ["dataclass:wrrtrack.Vocabulary"]


def test_version_loads_no_registry_code() -> None:
    modules = modules_after("--version")
    for heavy in ("rich", "yaml", "wrrtrack._registry", "wrrtrack._model", "json"):
        assert not loaded(modules, heavy), heavy


def test_report_loads_the_report_but_not_rich() -> None:
    modules = modules_after("-r", SHIPPED, "report")
    assert "wrrtrack.render.markdown" in modules
    assert not loaded(modules, "rich")


def test_a_command_builds_only_itself(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typer would build all the commands (reading every function's annotations); a run
    builds the one it runs."""
    built: list[str] = []
    build_command, build_group = typer.main.get_command_from_info, typer.main.get_group_from_info

    def command(*args: Any, **kwargs: Any) -> Any:
        made = build_command(*args, **kwargs)
        built.append(made.name)
        return made

    def group(*args: Any, **kwargs: Any) -> Any:
        made = build_group(*args, **kwargs)
        built.append(made.name)
        return made

    monkeypatch.setattr(typer.main, "get_command_from_info", command)
    monkeypatch.setattr(typer.main, "get_group_from_info", group)
    assert cli("-r", SHIPPED, "list", "--actor", "gemeente").code == 0
    assert built == ["wrrtrack", "list"]  # the root group and the command
    built.clear()
    assert cli("-r", SHIPPED, "status", "history", "wrr103-1").code == 0
    assert built == ["wrrtrack", "set", "history", "status"]  # a group builds its own


def test_the_command_line_built_on_demand_is_the_one_typer_builds() -> None:
    lazy: Any = built_on_demand()
    eager: Any = typer.main.get_command(app)
    assert list(lazy.commands) == list(eager.commands)
    assert [p.name for p in lazy.params] == [p.name for p in eager.params]
    for name, expected in eager.commands.items():
        made = lazy.commands[name]
        assert type(made) is type(expected)
        # The same help, its paragraphs reflowed (tests/render/test_terminal.py shows why).
        assert (made.help, made.name) == (reflow(expected.help), expected.name)
        assert [p.opts for p in made.params] == [p.opts for p in expected.params]
        assert list(getattr(made, "commands", {})) == list(getattr(expected, "commands", {}))
