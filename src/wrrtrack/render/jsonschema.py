"""The JSON Schema (draft 2020-12) of a registry file, generated from `_schema`'s fields.

Every shape of `_schema.SHAPES` becomes a definition with its properties, required fields
and no others (`additionalProperties: false`); scalar types become patterns. A field added
to `_schema` appears here by itself; a new *type* of field must be given its JSON Schema
below (generating the schema fails until it is: `schema_of_type` raises KeyError).

Vocabulary fields (theme, actor, stance, status) are the one place where a file can say
more than the schema can know: a registry may declare its own keys under `vocabularies`,
and JSON Schema cannot take a list of allowed values from elsewhere in the document. So a
vocabulary field is a closed enum of the built-in keys *when the file declares no section
of its own for that vocabulary* (a conditional at the root), and otherwise any well-formed
key; `wrrtrack validate` checks such keys against the declared ones.
"""

from __future__ import annotations

import json
from typing import Any

from wrrtrack._model import ID_PATTERN, KEY_PATTERN, URL_PATTERN
from wrrtrack._schema import _SHA256, FORMAT_VERSION, REGISTRY, SHAPES, Field
from wrrtrack._vocabulary import DEFAULTS

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# A vocabulary field's type is its vocabulary's name ("status"); its section ("statuses").
_SECTION_OF = {vocabulary.name: section for section, vocabulary in DEFAULTS.items()}

_SCALARS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "pattern": r"\S"},
    "date": {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "format": "date",
        "description": "A date written YYYY-MM-DD (not in the future).",
    },
    "deadline": {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "format": "date",
        "description": "A date written YYYY-MM-DD (may lie ahead).",
    },
    "boolean": {"type": "boolean"},
    "relation": {
        "enum": ["response", "related"],
        "description": "response: the document follows up this advice; related: it bears on it.",
    },
    "number": {"type": ["integer", "string"]},
    "id": {"type": "string", "pattern": f"^{ID_PATTERN}$"},
    "key": {
        "type": "string",
        "pattern": f"^{KEY_PATTERN}$",
        "description": "The report's key (`--report KEY`); absent: publisher-number.",
    },
    "url": {
        "type": "string",
        "pattern": URL_PATTERN,
        "description": "A web address: http(s)://, no spaces or control characters (%20).",
    },
    "sha256": {
        "type": "string",
        "pattern": f"^{_SHA256.pattern}$",
        "description": "The SHA-256 of the stored file (`wrrtrack sources update ID`).",
    },
    "flag": {
        "type": "boolean",
        "description": "true: the stored file holds passages of the document, not all of it.",
    },
    "format": {"const": FORMAT_VERSION, "description": "The registry file's format version."},
}


def schema_of_type(type_name: str, *, required: bool = True) -> dict[str, Any]:
    """The JSON Schema of a value of `type_name` (as `_schema.Field.type` names it)."""
    if type_name.startswith("list of "):
        item = schema_of_type(type_name.removeprefix("list of "))
        return {"type": "array", "minItems": 1, "items": item}
    if type_name in SHAPES or type_name == "vocabularies":
        return {"$ref": f"#/$defs/{type_name}"}
    if type_name in _SECTION_OF:
        builtin = DEFAULTS[_SECTION_OF[type_name]].keys
        found: dict[str, Any] = {"type": "string", "pattern": f"^{KEY_PATTERN}$"}
        return {**found, "examples": builtin} if builtin else found
    found = dict(_SCALARS[type_name])
    if not required and type_name == "text":  # an optional text may be left empty (null)
        found["type"] = ["string", "null"]
    return found


def _object(shape: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: schema_of_type(f.type, required=f.required) for f in shape},
        "required": [f.name for f in shape if f.required],
        "additionalProperties": False,
    }


def _vocabularies() -> dict[str, Any]:
    section: dict[str, Any] = {
        "type": "object",
        "propertyNames": {"pattern": f"^{KEY_PATTERN}$"},
        "additionalProperties": {"$ref": "#/$defs/term"},
    }
    return {
        "type": "object",
        "description": "Keys this registry adds to the built-in vocabularies (or relabels).",
        "properties": dict.fromkeys(DEFAULTS, section),
        "additionalProperties": False,
    }


def _paths(shape: tuple[Field, ...], type_name: str) -> list[list[str]]:
    """Every path (of property names, and "[]" for a list's items) to a field of a type."""
    found: list[list[str]] = []
    for field in shape:
        inner = field.type
        steps = [field.name]
        while inner.startswith("list of "):
            inner = inner.removeprefix("list of ")
            steps.append("[]")
        if inner == type_name:
            found.append(steps)
        elif inner in SHAPES:
            found += [steps + rest for rest in _paths(SHAPES[inner], type_name)]
    return found


def _narrowed(paths: list[list[str]], leaf: Any) -> dict[str, Any]:
    """A schema that constrains only the values at `paths`, each to `leaf`."""
    schema: dict[str, Any] = {}
    for path in paths:
        node = schema
        for step in path:
            if step == "[]":
                node = node.setdefault("items", {})
            else:
                node = node.setdefault("properties", {}).setdefault(step, {})
        node.update(leaf)
    return schema


def _closed_vocabularies() -> list[dict[str, Any]]:
    """For each vocabulary: its built-in keys only, unless the file declares its own."""
    rules = []
    for name, section in _SECTION_OF.items():
        paths = _paths(REGISTRY, name)
        if not paths:
            continue
        builtin = DEFAULTS[section].keys
        leaf: dict[str, Any] = {"enum": builtin} if builtin else {"not": {}}
        # A report with a `key` is one of several in its file, whose vocabularies may be
        # declared in another document: its keys are then left to `wrrtrack validate`.
        declared = {
            "anyOf": [
                {"required": ["key"]},
                {
                    "required": ["vocabularies"],
                    "properties": {"vocabularies": {"required": [section]}},
                },
            ]
        }
        rules.append({"if": declared, "else": _narrowed(paths, leaf)})
    return rules


def registry_schema() -> dict[str, Any]:
    """The JSON Schema of a registry file."""
    definitions: dict[str, Any] = {name: _object(shape) for name, shape in SHAPES.items()}
    definitions["vocabularies"] = _vocabularies()
    return {
        "$schema": DRAFT,
        "title": "wrrtrack registry",
        "description": "A registry of government follow-up on policy advice "
        "(generated by `wrrtrack schema`; `wrrtrack validate` also checks dates, history "
        "order, unique ids and every quote against its source).",
        **_object(REGISTRY),
        "allOf": _closed_vocabularies(),
        "$defs": definitions,
    }


def registry_schema_text() -> str:
    return json.dumps(registry_schema(), ensure_ascii=False, indent=2) + "\n"
