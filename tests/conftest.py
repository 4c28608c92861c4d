"""Shared fixtures: a writable copy of the shipped registry and an in-process CLI runner.

The runner calls `wrrtrack.cli.main` (not Typer's CliRunner on the app) because `main` is
where errors become `error:` lines and exit codes: that mapping is part of what we test.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from wrrtrack.cli import main

# `make test` runs 60 examples per property; HYPOTHESIS_PROFILE=thorough runs 2,000. Speed
# is measured by `make bench`, never by a test: no example fails for being slow on a loaded
# machine (`make test` runs a worker per core).
settings.register_profile("default", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "recommendations.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` first (otherwise in their usual order): spread over workers by
    pytest-xdist, the long ones then start early and the quick ones fill in around them,
    instead of one long test running alone at the end while the other cores wait."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Result]


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A writable copy of the shipped registry and its source text."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data" / "recommendations.yaml"


@pytest.fixture(params=["file", "folder"])
def layout(request: pytest.FixtureRequest, registry: Path, tmp_path: Path) -> Path:
    """A writable copy of the shipped registry as one file, or as a folder registry of one file."""
    if request.param == "file":
        return registry
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "wrr-103.yaml").write_bytes(registry.read_bytes())
    shutil.copytree(registry.parent / "sources", folder / "sources")
    return folder


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's registry settings, cache or git identity."""
    monkeypatch.delenv("WRRTRACK_REGISTRY", raising=False)
    monkeypatch.setenv("WRRTRACK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    # A test that makes stdout look like a terminal gets the output, not a pager (the pager
    # tests set their own).
    monkeypatch.setenv("WRRTRACK_PAGER", "")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Runner:
    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Result(code if isinstance(code, int) else 1, captured.out, captured.err)

    return run
