"""Help as it is shown (`cli/_help.py`): the keys of the registry the command would use,
option names kept whole at a narrow terminal, and what the top-level help says."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Runner
from tests.helpers import COMMANDS
from wrrtrack.cli._build import command as built


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize(
    ("command", "option"),
    [(["list"], "--actor"), (["status", "set"], "STATUS"), (["add"], "--stance")],
)
def test_help_lists_the_keys_of_the_registry_it_would_use(
    cli: Runner, tmp_path: Path, command: list[str], option: str
) -> None:
    shipped = flat(cli("-r", SHIPPED, *command, "--help").out)
    assert cli("init", tmp_path / "leeg", "--blank").code == 0
    blank = tmp_path / "leeg" / "data" / "recommendations.yaml"
    assert (
        cli("-r", blank, "vocab", "add", "status", "wacht", "--nl", "W", "--en", "waiting").code
        == 0
    )
    assert cli("-r", blank, "vocab", "add", "stance", "later", "--nl", "L", "--en", "L").code == 0
    own = flat(cli("-r", blank, *command, "--help").out)
    if option == "--actor":
        assert "acvz (adviesraad-migratie), volgend-kabinet (next-cabinet)" in shipped
        assert "acvz" not in own and "gemeente (municipalities)." in own
    else:
        last = "vervallen (lapsed), wacht." if option == "STATUS" else "(no-response), later."
        assert last in own
        assert "wacht" not in shipped and "later" not in shipped


def test_help_falls_back_to_the_built_in_keys_silently(cli: Runner, tmp_path: Path) -> None:
    broken = tmp_path / "kapot.yaml"
    broken.write_text("recommendations: [", encoding="utf-8")
    for registry in (broken, tmp_path / "nergens.yaml"):
        result = cli("-r", registry, "list", "--help")
        assert (result.code, result.err) == (0, "")
        assert "gemeente (municipalities)." in flat(result.out)


def test_completion_offers_the_registrys_own_actors(cli: Runner, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "leeg", "--blank").code == 0
    blank = tmp_path / "leeg" / "data" / "recommendations.yaml"

    def offered(registry: Path) -> list[str]:
        env = {**os.environ, "_WRRTRACK_COMPLETE": "complete_bash", "COMP_CWORD": "5"}
        env["COMP_WORDS"] = f"wrrtrack --registry {registry} list --actor "
        done = subprocess.run(
            [sys.executable, "-m", "wrrtrack"], env=env, capture_output=True, text=True, check=False
        )
        return done.stdout.split()

    assert "acvz" in offered(SHIPPED)
    assert "acvz" not in offered(blank) and "gemeente" in offered(blank)


def _options(words: list[str]) -> list[str]:
    """The names of every option and argument of the command `words` names."""
    import typer

    command = built()
    ctx = typer.Context(command)
    for word in words:
        command = command.get_command(ctx, word)
    return [name for param in command.params for name in (*param.opts, *param.secondary_opts)]


@pytest.mark.parametrize("width", [40, 60])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "wrrtrack")
def test_narrow_help_keeps_every_option_name_whole(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, command: list[str], width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli("-r", SHIPPED, *command, "--help")
    assert result.code == 0
    words = result.out.replace("│", " ").split()
    for name in _options(command):
        if name.startswith("-"):
            assert name in words, (name, result.out)
    assert all(len(line) <= width for line in result.out.splitlines())


def test_wide_help_keeps_its_columns(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = cli("-r", SHIPPED, "list", "--help").out
    # Names, short name and metavar stay side by side on one line, as Rich lays them out.
    assert any(re.match(r"│ --actor +-a +KEY +Only", line) for line in out.splitlines()), out


def test_top_level_help_says_what_init_blank_does(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert "--blank: an empty one" in flat(cli("--help").out)
