"""No text a user or a registry gives is ever a format string: each argument of each
command, given `{x}`, `{0}`, `%s` or an attribute lookup, is refused or used as written,
never an internal error and never evaluated."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Runner

PAYLOADS = ["{x}", "{0}", "%s", "{x.__class__}", "{field.__class__.__mro__}", "{field}"]

QUOTE = (
    "Het kabinet deelt ook de analyse dat gemeenten een belangrijke rol spelen, vanwege de "
    "grote variatie in de omvang en samenstelling van de bevolking tussen gemeenten."
)

# A valid value for each parameter (an argument by name, an option by its flag), so that the
# one given the payload is the one at fault; a parameter not named here (of a command added
# later) gets the payload as well.
VALID: dict[str, str] = {
    "identifier": "wrr103-1",
    "identifiers": "wrr103-1",
    "status": "uitgevoerd",
    "key": "new-key",
    "name": "actors",
    "--report": "wrr-103",
    "--title": "A title",
    "--theme": "algemeen",
    "--stance": "onderschreven",
    "--actor": "rijk",
    "--quote": QUOTE,
    "--note": "a note",
    "--date": "2024-01-02",
    "--by": "someone",
    "--source": "wrr-samenvatting-kabinetsreactie",
    "--nl": "nieuw",
    "--en": "new",
    "--alias": "another-key",
    "--publisher": "WRR",
    "--reaction": "Kabinetsreactie",
    "--reaction-date": "2024-02-01",
    "--number": "104",
    "--url": "https://example.org/report",
    "--source-kind": "kamerbrief",
    "--source-publisher": "Rijksoverheid",
    "--reaction-label-nl": "reactie",
    "--reaction-label-en": "reaction",
    "--search": "gemeente",
    "--output": "out.txt",
    "--as-of": "2024-01-01",
    "--since": "2021-01-01",
    "--until": "2024-01-01",
    "--format": "json",
    "--lang": "en",
    "--kind": "kamerbrief",
}
# Where a command needs another value than the one by name.
VALID_IN: dict[tuple[str, str], str] = {
    ("add", "identifier"): "wrr103-99",
    ("init", "name"): "new-registry",
    ("sources update", "identifier"): "kst-36078-3",
    ("sources add", "identifier"): "nieuwe-bron",
}
# Options given although not required, as a command needs one of them.
GIVEN_IN: dict[str, set[str]] = {"edit": {"--title"}}


def _commands() -> list[tuple[str, Any]]:
    """Every command (its words) and its Click command, from the application itself."""
    import typer.main

    from wrrtrack.cli import app

    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        subcommands = getattr(command, "commands", {})
        for name, sub in subcommands.items():
            walk(sub, [*path, name])
        if not subcommands:
            found.append((" ".join(path), command))

    walk(typer.main.get_command(app), [])
    return found


def _cases() -> list[tuple[str, str]]:
    """(command, parameter) for every parameter that takes text; `--registry` once."""
    cases = [("list", "--registry")]
    for path, command in _commands():
        for param in command.params:
            if param.param_type_name == "option" and (param.is_flag or param.count):
                continue
            if param.name == "help":
                continue
            cases.append(
                (path, param.name if param.param_type_name == "argument" else param.opts[0])
            )
    return cases


def _argv(path: str, target: str, payload: str, reaction: Path) -> list[str]:
    """`path`'s command line with `payload` for `target` and valid values elsewhere."""
    command = dict(_commands())[path]
    argv: list[str] = [*path.split()]
    for param in command.params:
        if param.param_type_name == "option" and (param.is_flag or param.count):
            continue
        is_target = target in (param.name, *param.opts)
        spelled = param.name if param.param_type_name == "argument" else param.opts[0]
        if not (param.required or is_target or spelled in GIVEN_IN.get(path, ())):
            continue
        if is_target:
            value = payload
        elif spelled in ("--source-file", "--file"):
            value = str(reaction)
        else:
            value = VALID_IN.get((path, spelled), VALID.get(spelled, payload))
        if param.param_type_name == "argument":
            argv.append(value)
        else:
            argv += [param.opts[0], value]
    return argv


def committed(folder: Path) -> None:
    """`folder` as a git repository with everything in it committed."""
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "registry"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=folder,
            check=True,
            capture_output=True,
        )


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(("path", "target"), [pytest.param(*c, id=" ".join(c)) for c in _cases()])
def test_text_is_never_a_format_string(
    cli: Runner,
    registry: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    target: str,
    payload: str,
) -> None:
    reaction = tmp_path / "reaction.txt"
    reaction.write_text(QUOTE + "\n", encoding="utf-8")
    if path == "changes":  # reads the registry's history from git
        committed(registry.parent)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")  # --output and init write here
    if target == "--registry":
        result = cli("--registry", payload, *path.split())
    else:
        result = cli("--registry", registry, *_argv(path, target, payload, reaction))
    said = result.out + result.err
    assert result.code in (0, 1, 2), said
    assert "Traceback" not in said
    assert "internal error" not in said
    # Never evaluated: an attribute lookup would print a class; an error that names the
    # value names it as given.
    assert "<class" not in said and "mro" not in said.replace(payload, ""), said
    if "__class__" in payload:
        assert "__class__" not in said.replace(payload, ""), said


def test_a_refused_key_is_named_as_given(cli: Runner, registry: Path) -> None:
    for payload in PAYLOADS:
        args = ("vocab", "add", "actors", payload, "--nl", "a", "--en", "b")
        result = cli("--registry", registry, *args)
        assert (result.code, result.err) == (
            1,
            f"error: '{payload}' (KEY) must be lower-case letters, digits and '-'\n",
        )
        result = cli(
            "--registry",
            registry,
            "vocab",
            "add",
            "actors",
            "k",
            "--nl",
            "a",
            "--en",
            "b",
            "--alias",
            payload,
        )
        assert (result.code, result.err) == (
            1,
            f"error: '{payload}' (--alias) must be lower-case letters, digits and '-'\n",
        )


def test_text_stored_is_read_back_as_given(cli: Runner, registry: Path) -> None:
    for payload in PAYLOADS:
        result = cli(
            "--registry",
            registry,
            "status",
            "set",
            "wrr103-2",
            "uitgevoerd",
            "--note",
            payload,
            "--by",
            payload,
        )
        assert result.code == 0, result.err
        history = cli("--registry", registry, "status", "history", "wrr103-2", "--json").json()
        assert (history[-1]["note"], history[-1]["by"]) == (payload, payload)
        cli("--registry", registry, "status", "set", "wrr103-2", "open")


@pytest.mark.parametrize("path", [path for path, _ in _commands()])
def test_each_command_runs_with_the_valid_values(
    cli: Runner, registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The command lines above reach the parameter given the payload: with only valid
    values, each command succeeds."""
    command = dict(_commands())[path]
    unknown = [
        param.name if param.param_type_name == "argument" else param.opts[0]
        for param in command.params
        if param.required
        and (param.name if param.param_type_name == "argument" else param.opts[0]) not in VALID
        and param.opts[0] not in ("--source-file", "--file")
    ]
    if unknown:
        pytest.skip(f"no valid value known for {', '.join(unknown)}: add one to VALID")
    reaction = tmp_path / "reaction.txt"
    reaction.write_text(QUOTE + "\n", encoding="utf-8")
    if path == "changes":
        committed(registry.parent)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    result = cli("--registry", registry, *_argv(path, "", "", reaction))
    assert result.code == 0, result.err


def test_text_spelled_like_a_message_slot_is_named_as_given(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    """`{field}` is where a message names the option at fault: given as a value, it is
    the value, not the option."""
    empty = tmp_path / "{field}.txt"
    empty.write_bytes(b"")
    report = ["reports", "add", "k2", "--title", "T", "--publisher", "P", "--date"]
    report += ["2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01"]
    cases = {
        ("--source-file", str(empty)): f"error: {empty} is empty\n",
        ("--source-file", "{field}"): "error: {field}: cannot read: No such file or directory\n",
    }
    for (option, value), said in cases.items():
        result = cli("--registry", registry, *report, option, value)
        assert (result.code, result.err) == (1, said)
    args = ["status", "set", "wrr103-1", "uitgevoerd", "--source", "{field}", "--quote", "x"]
    result = cli("--registry", registry, *args)
    assert result.code == 1
    assert result.err.startswith("error: '{field}' is not a stored source;"), result.err
