"""Shell completion (`cli/_completion.py`): what bash offers for ids, keys, commands and
options, the script `--show-completion` prints for each shell, and completion that never
fails and never lets a registry's labels drive the shell or the terminal.

The same in real interactive shells, on hostile labels: tests/promises/test_shell_completion.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Runner
from tests.helpers import WRRTRACK, bash_completes


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("bash") is None or sys.platform == "win32",
    reason="needs bash (on Windows, Git Bash runs programs through its own path translation)",
)
def test_bash_completes_ids_keys_commands_and_options(tmp_path: Path, registry: Path) -> None:
    ids = [f"wrr103-{n}" for n in range(1, 8)]
    assert bash_completes(["wrrtrack", "show", "wrr"], tmp_path) == ids
    assert bash_completes(["wrrtrack", "status", "history", "wrr103-"], tmp_path) == ids
    statuses = bash_completes(["wrrtrack", "list", "--status", ""], tmp_path)
    assert statuses == ["open", *STATUS_KEYS[1:]]
    assert bash_completes(["wrrtrack", "list", "--theme", "s"], tmp_path) == ["samenhang-in-wijken"]
    assert bash_completes(["wrrtrack", "list", "--stance", "eens"], tmp_path) == [
        "eens-met-voorbehoud"
    ]
    assert bash_completes(["wrrtrack", "status", "set", "wrr103-1", "in-"], tmp_path) == [
        "in-verkenning",
        "in-uitvoering",
    ]
    assert "vocab" in bash_completes(["wrrtrack", ""], tmp_path)
    assert "--search" in bash_completes(["wrrtrack", "list", "--"], tmp_path)
    assert bash_completes(["wrrtrack", "vocab", "th"], tmp_path) == ["themes"]
    # Ids and keys are case-insensitive everywhere, completion included.
    assert bash_completes(["wrrtrack", "show", "WRR"], tmp_path) == ids
    assert bash_completes(["wrrtrack", "list", "--status", "IN-"], tmp_path) == [
        "in-verkenning",
        "in-uitvoering",
    ]
    assert bash_completes(["wrrtrack", "list", "--actor", "Gem"], tmp_path) == ["gemeente"]
    # Report keys, for every command that takes --report.
    for command in (["list"], ["report"], ["export", "-f", "json"], ["add", "x-1"]):
        assert bash_completes(["wrrtrack", *command, "--report", "W"], tmp_path) == ["wrr-103"]
    assert bash_completes(
        ["wrrtrack", "vocab", "add", "themes", "t", "--report", ""], tmp_path
    ) == ["wrr-103"]
    assert bash_completes(["wrrtrack", "status", "set", "Wrr103-1", "Uit"], tmp_path) == [
        "uitgevoerd"
    ]
    # The registry's own keys: a theme added to the registry is offered at once.
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("  themes:\n", "  themes:\n    zorg: {nl: Zorg, en: Care}\n", 1),
        encoding="utf-8",
    )
    assert bash_completes(["wrrtrack", "list", "--theme", "z"], tmp_path, registry) == ["zorg"]
    # --registry on the command line names the registry completion reads.
    words = ["wrrtrack", "--registry", str(registry), "list", "--theme", "z"]
    assert bash_completes(words, tmp_path, SHIPPED) == ["zorg"]


STATUS_KEYS = [
    "open",
    "in-verkenning",
    "in-uitvoering",
    "uitgevoerd",
    "doorgeschoven",
    "afgewezen",
    "vervallen",
]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_show_completion_prints_a_script_for_each_shell(cli: Runner, shell: str) -> None:
    result = cli("--show-completion", shell)
    assert result.code == 0
    assert "_WRRTRACK_COMPLETE" in result.out
    assert "wrrtrack" in result.out


def test_show_completion_refuses_an_unknown_shell(cli: Runner) -> None:
    result = cli("--show-completion", "tcsh")
    assert result.code == 2
    assert "'tcsh' is not one of bash, zsh, fish, powershell, pwsh" in result.err


@pytest.mark.slow
def test_completion_never_fails_on_a_broken_registry(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nrecommendations: [\n", encoding="utf-8")
    env = {
        **os.environ,
        "_WRRTRACK_COMPLETE": "complete_bash",
        "COMP_WORDS": f"wrrtrack --registry {broken} list --status in-",
        "COMP_CWORD": "5",
        "WRRTRACK_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [WRRTRACK], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    # The built-in statuses are still offered; the ids and themes simply are not.
    assert (done.returncode, done.stdout.split(), done.stderr) == (
        0,
        ["in-verkenning", "in-uitvoering"],
        "",
    )


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_completion_labels_from_the_registry_cannot_drive_the_shell_or_terminal(
    tmp_path: Path, registry: Path, shell: str
) -> None:
    # zsh and fish show each key's label; fish reads one candidate per line.
    from wrrtrack._yamlfile import yaml_scalar

    label = yaml_scalar(
        "Zorg\n::forged-key\x1b]8;;http://x\x07 [bold]vet[/bold] \u202eR :smile: a:b:c"
    )
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("  themes:\n", f"  themes:\n    zorg: {{nl: Zorg, en: {label}}}\n", 1),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "_WRRTRACK_COMPLETE": f"complete_{shell}",
        "_TYPER_COMPLETE_ARGS": f"wrrtrack --registry {registry} list --theme z",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "WRRTRACK_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [WRRTRACK], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "zorg" in out
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in out
    assert "forged-key" in out
    assert not any(line.startswith("::forged-key") for line in out.splitlines())
    assert "[bold]vet[/bold]" in out  # shown as written, not taken as markup
    # Nor as emoji codes: Rich made them 😄 and 🅱 (zsh's form escapes each colon).
    assert ("😄" in out, "🅱" in out, "smile" in out) == (False, False, True)
    if shell == "fish":
        assert ":smile: a:b:c" in out
