"""Windows on this machine: every command run where `fcntl` and `os.fchmod` do not exist.

A prelude hides `fcntl` (importing it fails, as on Windows), deletes `os.fchmod`, and
provides `msvcrt.locking` built on POSIX record locks, with Windows' behaviour (a lock
held by another process fails with EACCES). The commands then run as they would on
Windows: the lock file beside the registry, chmod after close, and no directory lock.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="simulates Windows on POSIX"),
]

PRELUDE = """
import errno, os, sys, types
import fcntl as posix_fcntl

sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
del os.fchmod
# Loaded first: these modules take the presence of msvcrt to mean all of Windows.
import getpass, subprocess
from wrrtrack.cli import main

msvcrt = types.ModuleType("msvcrt")
msvcrt.LK_UNLCK, msvcrt.LK_LOCK, msvcrt.LK_NBLCK = 0, 1, 2
log = os.environ.get("FAKE_MSVCRT_LOG")


def locking(fd, mode, nbytes):
    start = os.lseek(fd, 0, os.SEEK_CUR)
    if mode == msvcrt.LK_UNLCK:
        posix_fcntl.lockf(fd, posix_fcntl.LOCK_UN, nbytes, start)
        return
    try:
        posix_fcntl.lockf(fd, posix_fcntl.LOCK_EX | posix_fcntl.LOCK_NB, nbytes, start)
    except OSError:
        raise OSError(errno.EACCES, "Permission denied") from None
    if log:
        with open(log, "a") as out:
            out.write(f"locked {os.getpid()}\\n")


msvcrt.locking = locking
sys.modules["msvcrt"] = msvcrt
main(sys.argv[1:])
"""


def windows(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_the_prelude_really_removes_fcntl_and_fchmod(tmp_path: Path) -> None:
    probe = PRELUDE.replace(
        "main(sys.argv[1:])",
        "import importlib.util\n"
        "try:\n    import fcntl\nexcept ImportError:\n    print('no fcntl')\n"
        "print(hasattr(os, 'fchmod'))",
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout == "no fcntl\nFalse\n"


def test_every_command_works_and_writes_without_fcntl_and_fchmod(tmp_path: Path) -> None:
    log = tmp_path / "locks.log"
    env = {"FAKE_MSVCRT_LOG": str(log), "WRRTRACK_CACHE_DIR": str(tmp_path / "cache")}
    made = windows("init", "kopie", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    work = tmp_path / "kopie"
    registry = work / "data" / "recommendations.yaml"
    registry.chmod(0o640)
    for args in (
        ["list"],
        ["list", "--format", "json"],
        ["show", "wrr103-7"],
        ["status", "history", "wrr103-7"],
        ["validate"],
        ["report", "--lang", "en"],
    ):
        done = windows(*args, cwd=work, env=env)
        assert (done.returncode, done.stderr) == (0, ""), args
    changed = windows(
        "status",
        "set",
        "wrr103-4",
        "uitgevoerd",
        "--note",
        "op Windows",
        "--by",
        "W",
        cwd=work,
        env=env,
    )
    assert changed.returncode == 0, changed.stderr
    assert stat.S_IMODE(registry.stat().st_mode) == 0o640  # kept without os.fchmod
    assert (work / "data" / ".recommendations.yaml.lock").exists()
    assert log.read_text(encoding="utf-8").count("locked") == 1
    wrote = windows("report", "--output", "status.md", cwd=work, env=env)
    assert wrote.returncode == 0, wrote.stderr
    assert (work / "status.md").read_text(encoding="utf-8").startswith("# Opvolging")
    assert "op Windows" in windows("show", "wrr103-4", cwd=work, env=env).stdout
    assert windows("validate", cwd=work, env=env).returncode == 0
    leftovers = [p.name for p in (work / "data").iterdir() if ".wrrtrack-tmp-" in p.name]
    assert leftovers == []


def test_concurrent_writers_without_fcntl_lose_nothing(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "data", tmp_path / "data")
    env = {"WRRTRACK_CACHE_DIR": str(tmp_path / "cache")}
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PRELUDE,
                "status",
                "set",
                "wrr103-1",
                "open",
                "--note",
                f"writer {n}",
                "--by",
                "w",
            ],
            cwd=tmp_path,
            env={**os.environ, **env},
            stderr=subprocess.PIPE,
        )
        for n in range(6)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    text = (tmp_path / "data" / "recommendations.yaml").read_text(encoding="utf-8")
    assert sorted(n for n in range(6) if f"note: writer {n}\n" in text) == list(range(6))


def test_the_test_workflow_runs_on_three_systems_and_the_supported_pythons() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text("utf-8"))
    matrix = workflow["jobs"]["test"]["strategy"]["matrix"]
    assert matrix["os"] == ["ubuntu-latest", "macos-latest", "windows-latest"]
    assert {"3.11", "3.13"} <= set(matrix["python-version"])
    steps = "\n".join(step.get("run", "") for step in workflow["jobs"]["test"]["steps"])
    for check in ("make test", "ruff check", "ruff format --check", "mypy", "pytest"):
        assert check in steps


def test_a_system_with_neither_fcntl_nor_msvcrt_refuses_a_write_cleanly(tmp_path: Path) -> None:
    """No way to lock: the change is refused with a message, the file stays as it was."""
    env = {"WRRTRACK_CACHE_DIR": str(tmp_path / "cache")}
    assert windows("init", "kopie", cwd=tmp_path, env=env).returncode == 0
    work = tmp_path / "kopie"
    registry = work / "data" / "recommendations.yaml"
    before = registry.read_bytes()
    no_lock = PRELUDE.replace('sys.modules["msvcrt"] = msvcrt', 'sys.modules["msvcrt"] = None')
    done = subprocess.run(
        [sys.executable, "-c", no_lock, "status", "set", "wrr103-4", "uitgevoerd", "--by", "W"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )
    assert done.returncode == 1
    assert done.stderr.endswith("this system has neither fcntl nor msvcrt; nothing was written\n")
    assert "internal error" not in done.stderr
    assert registry.read_bytes() == before
