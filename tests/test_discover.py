"""How the registry is found: the five steps of docs/configuration.md, first hit wins."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, Runner
from wrrtrack.discover import ENV_VAR, bundled_registry, locate


def make_registry(directory: Path) -> Path:
    shutil.copytree(ROOT / "data", directory / "data")
    return directory / "data" / "recommendations.yaml"


def test_explicit_option_beats_everything(tmp_path: Path) -> None:
    make_registry(tmp_path)
    (tmp_path / "wrrtrack.toml").write_text('registry = "elsewhere.yaml"\n', encoding="utf-8")
    found = locate(Path("x.yaml"), cwd=tmp_path, environ={ENV_VAR: "env.yaml"})
    assert found[:3] == (Path("x.yaml"), False, "--registry")


def test_environment_beats_configuration(tmp_path: Path) -> None:
    (tmp_path / "wrrtrack.toml").write_text('registry = "elsewhere.yaml"\n', encoding="utf-8")
    named = make_registry(tmp_path / "env")
    found = locate(cwd=tmp_path, environ={ENV_VAR: str(named)})
    assert (found.path, found.origin) == (named, ENV_VAR)


def test_wrrtrack_toml_in_a_parent_is_relative_to_that_file(tmp_path: Path) -> None:
    (tmp_path / "wrrtrack.toml").write_text('registry = "reg/r.yaml"\n', encoding="utf-8")
    (tmp_path / "reg").mkdir()
    (tmp_path / "reg" / "r.yaml").write_text("x", encoding="utf-8")
    make_registry(tmp_path)  # step 4 would find this one: the configuration comes first
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    found = locate(cwd=work, environ={})
    assert found.path == tmp_path / "reg" / "r.yaml"


def test_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.wrrtrack]\nregistry = "ledger.yaml"\n', encoding="utf-8"
    )
    (tmp_path / "ledger.yaml").write_text("x", encoding="utf-8")
    found = locate(cwd=tmp_path, environ={})
    assert (found.path, found.origin) == (Path("ledger.yaml"), f"{tmp_path / 'pyproject.toml'}:5")


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    make_registry(tmp_path)
    found = locate(cwd=tmp_path, environ={})
    assert found.path == Path("data/recommendations.yaml")


def test_data_directory_in_a_parent(tmp_path: Path) -> None:
    path = make_registry(tmp_path)
    work = tmp_path / "deep" / "er"
    work.mkdir(parents=True)
    found = locate(cwd=work, environ={})
    assert found.path == path
    assert not found.bundled


def test_bundled_registry_is_last_and_read_only(tmp_path: Path) -> None:
    found = locate(cwd=tmp_path, environ={})
    assert found.bundled
    assert found.path == bundled_registry()


def test_cli_uses_environment_variable(
    tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_registry(tmp_path)
    text = path.read_text(encoding="utf-8").replace("id: wrr103-7", "id: wrr103-7b")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(path))
    monkeypatch.chdir(tmp_path.parent)
    assert "wrr103-7b" in cli("list", "-f", "ids").out


def test_bundled_registry_reads_from_anywhere_but_refuses_writes(
    tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("list", "--actor", "acvz", "-f", "ids").out == "wrr103-7\n"
    bundled = bundled_registry()
    assert bundled is not None
    before = bundled.read_bytes()
    result = cli("status", "set", "wrr103-7", "vervallen", "--by", "x")
    assert result.code == 1
    assert "is not changed from here" in result.err
    assert "wrrtrack init DIR" in result.err
    assert bundled.read_bytes() == before


def test_init_copies_the_bundled_registry_and_its_source(
    tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = cli("init", tmp_path / "mine")
    assert result.code == 0, result.err
    copy = tmp_path / "mine" / "data" / "recommendations.yaml"
    assert copy.read_bytes() == (ROOT / "data" / "recommendations.yaml").read_bytes()
    monkeypatch.chdir(tmp_path / "mine")
    assert cli("validate").code == 0
    assert cli("status", "set", "wrr103-7", "vervallen", "--by", "x").code == 0
    again = cli("init", tmp_path / "mine")
    assert again.code == 1
    assert "exists already; nothing was created or changed" in again.err


@pytest.mark.parametrize(
    "command", [["list"], ["validate"], ["show", "wrr103-1"], ["status", "set", "wrr103-1", "open"]]
)
def test_an_empty_registry_option_is_a_usage_error(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    registry = make_registry(tmp_path)
    before = registry.read_bytes()
    monkeypatch.chdir(tmp_path)  # where a registry would be found
    for option in (["--registry", ""], ["--registry="], ["-r", ""]):
        result = cli(*option, *command)
        assert result.code == 2, (option, command, result.out)
        assert result.out == ""
        assert result.err == (
            "error: Invalid value for '--registry' / '-r': an empty path names no registry; "
            "name a registry file or folder, or leave --registry out to search for one "
            "(see 'wrrtrack --help')\n"
        )
    assert registry.read_bytes() == before


def test_an_empty_registry_path_is_an_error_in_the_library(tmp_path: Path) -> None:
    from wrrtrack import Registry
    from wrrtrack._errors import RegistryNotFound

    make_registry(tmp_path)
    with pytest.raises(RegistryNotFound, match="an empty path names no registry"):
        locate("", cwd=tmp_path, environ={})
    with pytest.raises(RegistryNotFound, match="an empty path names no registry"):
        Registry.find("", cwd=tmp_path)


def test_an_empty_environment_variable_is_unset(tmp_path: Path) -> None:
    """As in Unix shells: WRRTRACK_REGISTRY= (empty) is as if it were not set."""
    make_registry(tmp_path)
    found = locate(cwd=tmp_path, environ={ENV_VAR: ""})
    assert (found.path, found.origin) == (Path("data/recommendations.yaml"), "")


# --- a configuration owned by someone else is not followed (as git's safe.directory) --------

OTHER_UID = 4321


def owned_by_another_user(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `path` another user's: given away as root, else by being someone else."""
    if os.getuid() == 0:
        os.chown(path, OTHER_UID, OTHER_UID)
    else:
        owner = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: owner + 1)


def shared_checkout(tmp_path: Path, name: str = "wrrtrack.toml") -> tuple[Path, Path]:
    """`tmp_path/shared` holding a configuration that names `evil.yaml`, below a directory
    whose own registry (`data/recommendations.yaml`) is found when it is ignored."""
    make_registry(tmp_path)
    shared = tmp_path / "shared"
    (shared / "work").mkdir(parents=True)
    (shared / "evil.yaml").write_text("x", encoding="utf-8")
    text = 'registry = "evil.yaml"\ntimezone = "Asia/Tokyo"\n'
    if name == "pyproject.toml":
        text = f"[tool.wrrtrack]\n{text}"
    (shared / name).write_text(text, encoding="utf-8")
    return shared, shared / name


def ignored(config: Path) -> str:
    return (
        f"warning: ignoring {config}: it belongs to another user (uid {OTHER_UID}); "
        f"if you trust it, add its directory to WRRTRACK_TRUST "
        f"(WRRTRACK_TRUST={config.parent}), or name the registry with --registry\n"
    )


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners")
@pytest.mark.parametrize("name", ["wrrtrack.toml", "pyproject.toml"])
@pytest.mark.parametrize("whose", ["file", "directory"])
def test_a_configuration_of_another_user_is_ignored_with_a_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    whose: str,
) -> None:
    if os.getuid() != 0 and whose == "directory":
        pytest.skip("only root can give a directory away")
    monkeypatch.delenv("WRRTRACK_TRUST", raising=False)
    shared, config = shared_checkout(tmp_path, name)
    owned_by_another_user(config if whose == "file" else shared, monkeypatch)
    found = locate(cwd=shared / "work", environ={})
    assert found.path == tmp_path / "data" / "recommendations.yaml"
    assert found.timezone == "Europe/Amsterdam"  # none of its settings, either
    assert capsys.readouterr().err == ignored(config)
    locate(cwd=shared / "work", environ={})
    assert capsys.readouterr().err == ""  # one warning per file and process


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners")
def test_the_command_line_warns_once_and_uses_the_registry_it_may_trust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Runner
) -> None:
    monkeypatch.delenv("WRRTRACK_TRUST", raising=False)
    shared, config = shared_checkout(tmp_path)
    owned_by_another_user(config, monkeypatch)
    monkeypatch.chdir(shared / "work")
    result = cli("list", "-f", "ids")
    assert result.code == 0
    assert result.out.split()[-1] == "wrr103-7"
    assert result.err == ignored(config)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners")
@pytest.mark.parametrize("trusted", ["{shared}", "{shared}/", "/elsewhere{sep}{shared}", "*"])
def test_wrrtrack_trust_names_the_configurations_of_others_to_follow(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    trusted: str,
) -> None:
    shared, config = shared_checkout(tmp_path)
    owned_by_another_user(config, monkeypatch)
    monkeypatch.setenv("WRRTRACK_TRUST", trusted.format(shared=shared, sep=os.pathsep))
    found = locate(cwd=shared / "work", environ={})
    assert (found.path, found.timezone) == (shared / "evil.yaml", "Asia/Tokyo")
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="root's files")
def test_a_configuration_of_root_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WRRTRACK_TRUST", raising=False)
    shared, _ = shared_checkout(tmp_path)  # root's, as everything made here
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    found = locate(cwd=shared / "work", environ={})
    assert found.path == shared / "evil.yaml"
    assert capsys.readouterr().err == ""
