"""The installed program, run as a user runs it: as a subprocess, and from a built wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def run(
    *args: str | Path, cwd: Path, program: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program or BIN / "wrrtrack"), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def python_output(python: Path, code: str, cwd: Path | None = None) -> str:
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, cwd=cwd)
    return done.stdout.strip()


def test_installed_command_lists_validates_and_updates(registry: Path, tmp_path: Path) -> None:
    listed = run("list", "--actor", "gemeente", "--format", "json", cwd=registry.parent.parent)
    assert listed.returncode == 0, listed.stderr
    assert [item["id"] for item in json.loads(listed.stdout)] == [
        "wrr103-1",
        "wrr103-2",
        "wrr103-4",
    ]
    changed = run(
        "status",
        "set",
        "wrr103-4",
        "uitgevoerd",
        "--date",
        "2026-11-01",
        "--by",
        "e2e",
        cwd=registry.parent.parent,
    )
    assert changed.returncode == 0, changed.stderr
    assert run("validate", cwd=registry.parent.parent).returncode == 0
    module = subprocess.run(
        [
            sys.executable,
            "-m",
            "wrrtrack",
            "--registry",
            registry,
            "show",
            "wrr103-4",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert json.loads(module.stdout)["status"] == "uitgevoerd"


def test_piped_output_survives_a_closed_pipe(tmp_path: Path) -> None:
    shell = f"'{BIN / 'wrrtrack'}' -r '{SHIPPED}' report | head -n 1"
    done = subprocess.run(
        ["sh", "-c", shell], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.stdout.startswith("# Opvolging WRR 103")
    assert "Traceback" not in done.stderr
    assert "Exception" not in done.stderr


def test_wheel_in_a_fresh_environment_reads_the_bundled_registry(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            dist,
            ROOT,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("wrrtrack-*.whl"))
    fresh = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", fresh], check=True)
    # The fresh environment borrows this one's dependencies (typer, rich, yaml) through a
    # path file, but not its editable wrrtrack: path files inside that directory are not run.
    # A virtual environment keeps its programs in Scripts on Windows, in bin elsewhere.
    scripts = fresh / ("Scripts" if sys.platform == "win32" else "bin")
    fresh_python = scripts / "python"
    purelib = python_output(
        fresh_python, "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    )
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            fresh_python,
            "install",
            "--quiet",
            "--no-deps",
            wheel,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    program = scripts / "wrrtrack"
    where = python_output(fresh_python, "import wrrtrack; print(wrrtrack.__file__)", cwd=empty)
    assert where.startswith(str(fresh))

    listed = run("list", "--format", "ids", cwd=empty, program=program)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [f"wrr103-{n}" for n in range(1, 8)]
    assert run("validate", cwd=empty, program=program).returncode == 0

    refused = run(
        "status", "set", "wrr103-1", "uitgevoerd", "--by", "x", cwd=empty, program=program
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: ")
    assert "wrrtrack init DIR" in refused.stderr

    created = run("init", "mine", cwd=empty, program=program)
    assert created.returncode == 0, created.stderr
    changed = run(
        "status", "set", "wrr103-1", "uitgevoerd", "--by", "x", cwd=empty / "mine", program=program
    )
    assert changed.returncode == 0, changed.stderr
    shutil.rmtree(fresh)
