"""The JSON Schema of a registry file: generated from `_schema`, carried in the repository,
and checked with the `jsonschema` package the way an editor checks a file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from tests.conftest import ROOT, SHIPPED, Runner
from tests.helpers import TODAY
from tests.strategies import ledgers
from wrrtrack._model import Ledger
from wrrtrack._registry import Registry
from wrrtrack._schema import REGISTRY, SHAPES
from wrrtrack.render.jsonschema import registry_schema

SCHEMA_FILE = ROOT / "schema" / "registry.schema.json"
MODELINE = "# yaml-language-server: $schema=../schema/registry.schema.json\n"
REGISTRIES = sorted([*(ROOT / "data").glob("*.yaml"), *(ROOT / "docs" / "examples").glob("*.yaml")])


class EditorLoader(yaml.SafeLoader):
    """YAML as editors read it (YAML 1.2): a date is text, which the schema's pattern checks."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> Any:
    return yaml.load(text, Loader=EditorLoader)  # noqa: S506 (a SafeLoader without dates)


def errors(document: Any) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_prints_the_file_the_repository_carries(cli: Runner) -> None:
    result = cli("schema")
    assert result.code == 0
    assert json.loads(result.out) == registry_schema()
    assert result.out == SCHEMA_FILE.read_text(encoding="utf-8")


def test_every_field_of_every_shape_is_in_the_schema() -> None:
    schema = registry_schema()
    assert list(schema["properties"]) == [field.name for field in REGISTRY]
    for name, shape in SHAPES.items():
        definition = schema["$defs"][name]
        assert list(definition["properties"]) == [field.name for field in shape]
        assert definition["required"] == [field.name for field in shape if field.required]
        assert definition["additionalProperties"] is False


def test_the_shipped_registry_names_the_schema_on_its_first_line() -> None:
    first = SHIPPED.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    assert first == MODELINE
    named = first.split("$schema=", 1)[1].strip()
    assert (SHIPPED.parent / named).resolve() == SCHEMA_FILE


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_shipped_and_example_registries_meet_the_schema_as_validate_judges(
    cli: Runner, path: Path
) -> None:
    """Each registry `validate` accepts meets the schema; the broken example's mistakes
    that a schema can see (a misspelt stance, a date that does not exist) are caught."""
    found = errors(load(path.read_text(encoding="utf-8")))
    if cli("--registry", path, "validate").code == 0:
        assert found == []
    else:
        assert path.name == "broken-registry.yaml"
        assert "recommendations/2/stance: 'positive' is not one of" in "\n".join(found)
        assert "recommendations/4/history/0/date: '2021-02-30' is not a 'date'" in found


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = load(SHIPPED.read_text(encoding="utf-8"))
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: None, []),
        (
            lambda d: d["recommendations"][0].update(titel=d["recommendations"][0].pop("title")),
            [
                "recommendations/0: 'title' is a required property",
                "recommendations/0: Additional properties are not allowed ('titel' was unexpected)",
            ],
        ),
        (
            lambda d: d["recommendations"][1].update(actors="rijk"),
            ["recommendations/1/actors: 'rijk' is not of type 'array'"],
        ),
        (
            lambda d: d["recommendations"][2].update(status="klaar"),
            ["recommendations/2/status: 'klaar' is not one of"],
        ),
        (
            lambda d: d["recommendations"][2]["history"][0].update(status="in-progress"),
            ["recommendations/2/history/0/status: 'in-progress' is not one of"],
        ),
        (
            lambda d: d["report"].update(date="24-03-2021"),
            ["report/date: '24-03-2021' does not match"],
        ),
        (lambda d: d.update(format=2), ["format: 1 was expected"]),
        (
            lambda d: d["vocabularies"]["themes"].update(Fout={"nl": "x", "en": "y"}),
            ["vocabularies/themes: 'Fout' does not match"],
        ),
        (
            lambda d: d["recommendations"][0]["history"][0].update(note=""),
            ["recommendations/0/history/0/note: '' does not match"],
        ),
        (
            lambda d: d["report"]["reaction"].update(label={"nl": "Collegereactie"}),
            ["report/reaction/label: 'en' is a required property"],
        ),
        (
            lambda d: d["report"]["reaction"].update(label={"nl": "a", "en": "b"}),
            [],
        ),
        (
            lambda d: d["report"]["reaction"].update(url="https://example.org/a b"),
            ["report/reaction/url: 'https://example.org/a b' does not match"],
        ),
        (
            lambda d: d["sources"][0].update(url="https://example.org/a\nb"),
            ["sources/0/url: 'https://example.org/a\\nb' does not match"],
        ),
        (
            # Python's `$` matches before a final line break: the pattern must not need it.
            lambda d: d["sources"][1].update(url="https://example.org/a\n"),
            ["sources/1/url: 'https://example.org/a\\n' does not match"],
        ),
        (
            lambda d: d["sources"][1].update(url="https://example.org/\x1b[31m"),
            ["sources/1/url: 'https://example.org/\\x1b[31m' does not match"],
        ),
        (lambda d: d["sources"][1].update(url="https://"), ["sources/1/url: 'https://' does"]),
        (lambda d: d["sources"][1].update(url="HTTPS://EXAMPLE.ORG/a%20b"), []),
    ],
    ids=[
        "unchanged",
        "misspelt field",
        "wrong type",
        "unknown status",
        "alias in file",
        "bad date",
        "format",
        "key form",
        "empty note",
        "half a label",
        "a label",
        "url with a space",
        "url with a line break",
        "url ending in a line break",
        "url with an escape",
        "url of nothing",
        "url in capitals",
    ],
)
def test_the_schema_rejects_what_validate_rejects(
    cli: Runner, registry: Path, change: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    document = mutated(change)
    found = errors(document)
    for message in expected:
        assert any(line.startswith(message) for line in found), (message, found)
    assert bool(found) == bool(expected)
    # wrrtrack itself judges the same file the same way (JSON is YAML).
    registry.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert cli("--registry", registry, "validate").code == (1 if expected else 0)


def test_a_declared_status_is_accepted_and_the_built_in_ones_still_complete(
    cli: Runner, registry: Path
) -> None:
    """A registry may declare its own keys: the schema cannot know them, so it checks only
    their form; the built-in keys are still offered (`examples`) for completion."""
    text = registry.read_text(encoding="utf-8").replace(
        "vocabularies:\n",
        "vocabularies:\n  statuses:\n    geparkeerd: {nl: geparkeerd, en: parked}\n",
    )
    text = text.replace("status: open\n", "status: geparkeerd\n")
    registry.write_text(text, encoding="utf-8")
    assert cli("--registry", registry, "validate").code == 0
    assert errors(load(text)) == []
    unknown = text.replace("status: geparkeerd\n", "status: klaar\n", 1)
    assert errors(load(unknown)) == []  # the form is right; only validate knows the keys
    assert cli("--registry", registry, "list").code == 0
    status = registry_schema()["$defs"]["recommendation"]["properties"]["status"]
    assert status["examples"][:2] == ["open", "in-verkenning"]


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger=ledgers())
def test_every_registry_wrrtrack_reads_meets_the_schema(tmp_path: Path, ledger: Ledger) -> None:
    """Never stricter than wrrtrack: a file that reads without problems passes the schema."""
    from wrrtrack._yamlfile import render_registry

    text = render_registry(ledger)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    Registry.open(path, today=TODAY, use_cache=False)
    # An editor checks each document of a file of several reports on its own.
    documents = list(yaml.load_all(text, Loader=EditorLoader))
    assert [errors(document) for document in documents] == [[]] * len(documents)


def test_a_draft_7_validator_judges_the_same() -> None:
    """Language servers that implement only draft 7 read the schema the same way."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    draft7 = jsonschema.Draft7Validator(
        {**schema, "$schema": "http://json-schema.org/draft-07/schema#"}
    )
    for path in REGISTRIES:
        document = load(path.read_text(encoding="utf-8"))
        assert len(list(draft7.iter_errors(document))) == len(errors(document)) - (
            1 if path.name == "broken-registry.yaml" else 0  # draft 7 checks no `format`
        )
    bad = mutated(lambda d: d["recommendations"][2].update(status="klaar", titel="x"))
    assert len(list(draft7.iter_errors(bad))) == len(errors(bad)) == 2


def test_init_gives_the_copy_the_schema_its_first_line_names(cli: Runner, tmp_path: Path) -> None:
    assert cli("init", tmp_path / "mine").code == 0
    copy = tmp_path / "mine" / "data" / "recommendations.yaml"
    named = copy.read_text(encoding="utf-8").splitlines()[0].split("$schema=", 1)[1]
    assert (copy.parent / named).read_text(encoding="utf-8") == cli("schema").out


def test_schema_output_writes_the_file_and_never_over_the_registry(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    out = tmp_path / "s.json"
    result = cli("--registry", registry, "schema", "--output", out)
    assert (result.code, result.err) == (0, f"wrote {out}\n")
    assert out.read_text(encoding="utf-8") == cli("schema").out
    before = registry.read_bytes()
    refused = cli("--registry", registry, "schema", "--output", registry)
    assert refused.code == 1
    assert "is the registry; --output would destroy it" in refused.err
    assert registry.read_bytes() == before
