"""The pre-commit hook: `python -m wrrtrack.hook`, and `.pre-commit-hooks.yaml` run for real
by `pre-commit try-repo`, as another repository would run it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, SHIPPED
from wrrtrack.hook import main, split_arguments

BROKEN_STANCE = ("stance: positief", "stance: positive")


def run_hook(*argv: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


def test_the_hook_validates_the_registry_it_finds(
    registry: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(registry.parent.parent)
    assert run_hook() == 0
    assert capsys.readouterr().out.startswith("ok: data/recommendations.yaml: 7 recommendations")
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace(*BROKEN_STANCE, 1), encoding="utf-8")
    assert run_hook() == 1
    err = capsys.readouterr().err
    assert re.match(r"error: data/recommendations\.yaml:\d+:\d+: wrr103-3\.stance: unknown", err)


def test_the_hook_refuses_to_check_the_bundled_registry_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a registry of its own, `validate` would check the bundled one and pass."""
    monkeypatch.chdir(tmp_path)
    assert run_hook() == 1
    assert capsys.readouterr().err == (
        f'error: no registry in {tmp_path}: add wrrtrack.toml with registry = "PATH", keep it '
        "at data/recommendations.yaml, or pass --registry PATH (in pre-commit: "
        "args: [--registry, PATH])\n"
    )
    assert run_hook("--registry", str(SHIPPED)) == 0  # named explicitly, any registry goes
    (tmp_path / "wrrtrack.toml").write_text(f'registry = "{SHIPPED}"\n', encoding="utf-8")
    assert run_hook() == 0


def test_global_options_go_before_the_command() -> None:
    assert split_arguments(["--registry", "r.yaml", "--format", "json", "--no-cache"]) == (
        ["--registry", "r.yaml", "--no-cache"],
        ["--format", "json"],
    )
    assert split_arguments(["--registry=r.yaml", "-r"]) == (["--registry=r.yaml", "-r", ""], [])


def hook_definition() -> dict[str, object]:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("data/recommendations.yaml", True),
        ("data/sources/kabinetsreactie-wrr-103.txt", True),
        ("wrrtrack.toml", True),
        ("beleid/register/wrr-103.yml", True),
        ("pyproject.toml", True),
        ("README.md", False),
        ("src/app/main.py", False),
        ("docs/sources.md", False),
    ],
)
def test_the_hook_runs_when_a_file_of_the_registry_changes(path: str, runs: bool) -> None:
    hook = hook_definition()
    assert hook["id"] == "wrrtrack-validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the registry is checked whole, once
    assert bool(re.search(str(hook["files"]), path)) is runs


def copy_of_this_repository(target: Path) -> Path:
    """The files pip needs to install wrrtrack, as they are now, committed in a fresh repo
    (so that pre-commit installs the hook's environment once, for both runs below)."""
    target.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "bundled")
    for name in ("src", "data"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    git(target, "init", "--quiet")
    git(target, "add", "--all")
    git(target, "commit", "--quiet", "--message", "hook repository")
    return target


def git(where: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=where,
        check=True,
        capture_output=True,
    )


def try_repo(hook_repository: Path, sample: Path, home: Path) -> subprocess.CompletedProcess[str]:
    pre_commit = Path(sys.executable).parent / "pre-commit"
    return subprocess.run(
        [pre_commit, "try-repo", hook_repository, "wrrtrack-validate", "--all-files"],
        cwd=sample,
        capture_output=True,
        text=True,
        env={
            **os.environ,  # pip's index and proxy settings, where the machine has them
            "HOME": str(home),
            "PRE_COMMIT_HOME": str(home / "pre-commit"),
            "WRRTRACK_CACHE_DIR": str(home / "cache"),
            "NO_COLOR": "1",
        },
        check=False,
    )


@pytest.mark.slow
def test_pre_commit_try_repo_passes_a_valid_registry_and_fails_a_broken_one(
    tmp_path: Path,
) -> None:
    if shutil.which("git") is None:
        pytest.skip("pre-commit needs git, and git is not installed")
    hook_repository = copy_of_this_repository(tmp_path / "wrrtrack")
    sample = tmp_path / "sample"
    shutil.copytree(ROOT / "data", sample / "data")
    git(sample, "init", "--quiet")
    git(sample, "add", "--all")

    passed = try_repo(hook_repository, sample, tmp_path)
    output = passed.stdout + passed.stderr
    if passed.returncode == 3 and "NewConnectionError" in output:
        pytest.skip(f"pre-commit could not install the hook: no package index reachable\n{output}")
    assert passed.returncode == 0, output
    assert re.search(r"wrrtrack validate\.+Passed", output), output

    registry = sample / "data" / "recommendations.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(*BROKEN_STANCE, 1), encoding="utf-8"
    )
    git(sample, "add", "--all")
    failed = try_repo(hook_repository, sample, tmp_path)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    assert re.search(r"wrrtrack validate\.+Failed", output), output
    assert re.search(
        r"error: data/recommendations\.yaml:\d+:\d+: wrr103-3\.stance: unknown stance "
        r"'positive'; did you mean 'positief'\?",
        output,
    ), output


@pytest.mark.parametrize("argv", [["--registry", ""], ["--registry="], ["-r", ""], ["-r"]])
def test_an_empty_registry_is_a_usage_error_not_the_fallback(
    registry: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    """An unset variable in `args: [--registry, $X]` must not check some other registry."""
    monkeypatch.chdir(registry.parent.parent)  # a registry that would be found and pass
    assert run_hook(*argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ")
    assert "--registry" in err
    assert "empty" in err
