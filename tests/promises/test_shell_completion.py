"""Completion in real shells, on a registry whose labels are written to break out of each
shell's quoting: pressing Tab offers the keys and shows the labels, and runs nothing.

Each test needs its shell installed (CI installs zsh and fish; bash is everywhere) and is
skipped, saying which, where it is not.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import WRRTRACK, bash_completes
from wrrtrack._yamlfile import yaml_scalar
from wrrtrack.render import visible

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX shells and terminals"),
]

# The actors the shipped registry offers, before the hostile ones are added.
SHIPPED_ACTORS = ["rijk", "gemeente", "acvz", "volgend-kabinet"]


def hostile_labels(marker: Path) -> list[str]:
    """Labels that each try, in their own way, to make a shell run `touch marker`."""
    run = f"touch {marker}"
    return [
        f'a\\"$({run})\\"',  # a backslash before the quote: broke Typer's zsh form
        f"b'\\'$({run})'\\",
        f"c`{run}`;x:y\\:z\n$({run}) `rm` \"q\" 's' %s {{x}} ;{run};",
        f"d\\\\:a::b\\ c\t\\$HOME ${{HOME}} |{run}| '\"'\"' :smile: [bold]x[/bold] é \\",
        f"two  spaces *(e:{run}:) x(#qe:{run}:) end",  # glob qualifiers run code
    ]


@pytest.fixture
def hostile(registry: Path, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """The shipped registry with five actors (`evil-0`…) labelled to break out, one with
    such an alias, and such a report title; the marker file a successful attack makes; and
    the labels."""
    marker = tmp_path / "pwned"
    labels = hostile_labels(marker)
    terms = "".join(
        f"    evil-{n}: {{nl: {yaml_scalar(label)}, en: {yaml_scalar(label)}"
        + (f", aliases: [{yaml_scalar(labels[0])}]" if n == 1 else "")
        + "}\n"
        for n, label in enumerate(labels)
    )
    text = registry.read_text(encoding="utf-8")
    text = text.replace("  actors:\n", "  actors:\n" + terms, 1)
    title = '  title: "Samenleven in verscheidenheid. Beleid voor de migratiesamenleving"\n'
    assert title in text
    text = text.replace(title, f"  title: {yaml_scalar(labels[2])}\n", 1)
    registry.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [WRRTRACK, "--registry", str(registry), "validate"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WRRTRACK_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr  # the registry is valid: labels are text
    return registry, marker, labels


ACTORS = [*SHIPPED_ACTORS[:2], *(f"evil-{n}" for n in range(5)), *SHIPPED_ACTORS[2:]]


def shown(label: str) -> str:
    """A label as every shell shows it beside its key: on one line, escapes visible."""
    return visible(label)


def _env(tmp_path: Path, registry: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{WRRTRACK.parent}{os.pathsep}{os.environ['PATH']}",
        "WRRTRACK_REGISTRY": str(registry),
        "WRRTRACK_CACHE_DIR": str(tmp_path / "cache"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(tmp_path),
        "TERM": "xterm",
    }


def needs(shell: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        shutil.which(shell) is None,
        reason=f"needs {shell} (CI installs it: .ci/run); not installed here",
    )


@needs("bash")
def test_bash_offers_the_keys_and_runs_nothing(
    hostile: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    registry, marker, _ = hostile
    offered = bash_completes(["wrrtrack", "list", "--actor", ""], tmp_path, registry)
    assert offered == ACTORS
    assert bash_completes(["wrrtrack", "list", "--report", ""], tmp_path, registry) == ["wrr-103"]
    assert not marker.exists()


@needs("fish")
def test_fish_offers_the_keys_with_their_labels_and_runs_nothing(
    hostile: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    registry, marker, labels = hostile
    script = (
        "wrrtrack --show-completion fish | source\n"
        "complete -C 'wrrtrack list --actor '\n"
        "echo ---\n"
        "complete -C 'wrrtrack list --report '\n"
    )
    done = subprocess.run(
        ["fish", "--no-config", "-c", script],
        env=_env(tmp_path, registry),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    actors, reports = done.stdout.split("---\n")
    offered = dict(line.split("\t", 1) for line in actors.splitlines())
    assert sorted(offered) == sorted(ACTORS)
    for n, label in enumerate(labels):
        assert offered[f"evil-{n}"] == shown(label)
    assert [line.split("\t")[0] for line in reports.splitlines()] == ["wrr-103"]
    assert shown(labels[2]) in reports
    assert not marker.exists()


# --- zsh, interactive: Tab pressed in a terminal ------------------------------------------


def _strip(screen: str) -> str:
    """What a terminal shows of `screen`, roughly: escape sequences and carriage returns
    removed."""
    return re.sub(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>])", "", screen).replace("\r", "")


def zsh_tab(env: dict[str, str], line: str, until: str, timeout: float = 60) -> str:
    """What an interactive zsh (no rc files, `compinit`, our script loaded) prints when
    `line` is typed and Tab pressed; read until `until` is shown or `timeout` passes."""
    import pty

    main, child = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 60, 1000, 0, 0))
    proc = subprocess.Popen(
        ["zsh", "-f", "-i"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    os.close(child)

    def read_until(text: str, deadline: float) -> str:
        seen = ""
        while time.monotonic() < deadline and text not in _strip(seen):
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(main, 65536).decode("utf-8", "replace")
                except OSError:
                    break
        return _strip(seen)

    try:
        setup = (
            "PS1='%% '; unsetopt beep; autoload -Uz compinit; compinit -u -D; "
            'eval "$(wrrtrack --show-completion zsh)"; print -r -- READY$((6*7))\n'
        )
        os.write(main, setup.encode())
        deadline = time.monotonic() + timeout
        assert "READY42" in read_until("READY42", deadline)
        os.write(main, f"{line}\t".encode())
        return read_until(until, deadline)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(main)


@needs("zsh")
def test_zsh_offers_the_keys_with_their_labels_and_runs_nothing(
    hostile: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    registry, marker, labels = hostile
    screen = zsh_tab(_env(tmp_path, registry), "wrrtrack list --actor ", "volgend-kabinet")
    assert not marker.exists(), screen
    listed = {
        key.strip(): label.rstrip()
        for key, label in (line.split(" -- ", 1) for line in screen.splitlines() if " -- " in line)
    }
    assert sorted(listed) == sorted(ACTORS), screen
    for n, label in enumerate(labels):
        assert listed[f"evil-{n}"] == shown(label), screen
    assert "bad pattern" not in screen and "parse error" not in screen, screen


@needs("zsh")
def test_zsh_completes_a_report_key_whose_name_is_hostile(
    hostile: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    registry, marker, _ = hostile
    # The one report key is inserted on the command line at once.
    screen = zsh_tab(_env(tmp_path, registry), "wrrtrack list --report ", "wrr-103")
    assert "wrrtrack list --report wrr-103" in screen, screen
    assert not marker.exists()
