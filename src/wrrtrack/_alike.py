"""Whether a file's new text reads as its old one, but for the records an edit changed.

A write through the index (`_transaction.write_by_index`) changes one file of a large
folder registry without reading the others, so it cannot verify its edit by reading the
whole registry again (`_transaction.verified`). It verifies the file instead, at the level
where a splice could go wrong, YAML's: both texts are composed in full, and

- every document, with its records taken out, must read the same (same keys, same values,
  same tags, in the same order): nothing outside the records moved;
- the records must be the ones the edit meant, in its order, and each record the edit
  left alone must read as it did;
- each record the edit changed or added must read, in the whole file, exactly as it reads
  on its own (which `_edit` has checked is the record meant): no neighbour swallowed it,
  and it swallowed no neighbour.

The old text was part of a valid registry (the index answers only for such bytes), and a
record's meaning depends only on its own text and on the registry's vocabularies and
sources, which an edit of records leaves as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wrrtrack._model import Recommendation
from wrrtrack._places import Parsed

RECORDS = "recommendations"


def _shape(node: Any) -> Any:
    """A node tree as plain values: what YAML reads, without places or styles."""
    from yaml import MappingNode, SequenceNode

    if isinstance(node, MappingNode):
        return ("map", node.tag, [(_shape(key), _shape(value)) for key, value in node.value])
    if isinstance(node, SequenceNode):
        return ("seq", node.tag, [_shape(item) for item in node.value])
    return ("str", node.tag, node.value)


def _records(roots: list[Any]) -> tuple[list[Any], list[int], list[tuple[str | None, Any]]]:
    """The documents with their records taken out, how many records each has, and the
    records (id, shape) in order."""
    from yaml import MappingNode, ScalarNode, SequenceNode

    from wrrtrack._schema import _peek_id

    documents: list[Any] = []
    counts: list[int] = []
    records: list[tuple[str | None, Any]] = []
    for root in roots:
        counts.append(0)
        if isinstance(root, SequenceNode):  # a window of a file (`alike_window`): records
            records += [(_peek_id(item), _shape(item)) for item in root.value]
            counts[-1] += len(root.value)
            documents.append(("records", root.tag))
            continue
        if not isinstance(root, MappingNode):
            documents.append(_shape(root))
            continue
        pairs = []
        for key, value in root.value:
            is_records = isinstance(key, ScalarNode) and key.value == RECORDS
            if is_records and isinstance(value, SequenceNode):
                records += [(_peek_id(item), _shape(item)) for item in value.value]
                counts[-1] += len(value.value)
                pairs.append((_shape(key), ("records", value.tag)))
                continue
            pairs.append((_shape(key), _shape(value)))
        documents.append(("map", root.tag, pairs))
    return documents, counts, records


def alike(path: Path, old: str, new: str, before: Parsed, after: Parsed) -> bool:
    """Whether `new` (the file's text after an edit, whose records are `after`'s) reads
    as `old` (the text before, with `before`'s records) but for the records the edit
    changed or added, each of which reads in `new` as it reads on its own."""
    reports = list(after.documents)  # the file's documents: of a folder's file, its own
    if after.files:
        reports = [r for r, f in zip(reports, after.files, strict=True) if f == path.name]
    records = after.ledger.recommendations
    counts = [sum(rec.report == report for rec in records) for report in reports]
    kept = {rec.id: rec for rec in before.ledger.recommendations}
    return _alike(
        path, (old, new), records=records, kept=kept, layouts=after.layouts, counts=counts
    )


def alike_window(
    path: Path,
    old: str,
    new: str,
    *,
    before: Sequence[Recommendation],
    after: Sequence[Recommendation],
    layouts: dict[str, Any],  # each changed record's place in `new` (`_places`)
) -> bool:
    """`alike` for a window of a large file: `old` and `new` start at a record's first
    line (the one before the record changed, or that one) and end after the record
    after it, or at the end of the record changed; `before` and `after` are the records
    in them, `layouts` the places of the changed ones in `new`."""
    kept = {rec.id: rec for rec in before}
    return _alike(path, (old, new), records=after, kept=kept, layouts=layouts, counts=None)


def _alike(
    path: Path,
    texts: tuple[str, str],
    *,
    records: Sequence[Recommendation],
    kept: dict[str, Recommendation],
    layouts: dict[str, Any],  # each changed record's place in `new` (`_places`)
    counts: list[int] | None,
) -> bool:
    from wrrtrack._errors import RegistryInvalid
    from wrrtrack._yamlfile import compose, compose_all

    old, new = texts
    try:
        old_documents, _, old_records = _records(compose_all(path, old))
        new_documents, new_counts, new_records = _records(compose_all(path, new))
    except RegistryInvalid:
        return False
    if old_documents != new_documents or counts not in (None, new_counts):
        return False
    if [rid for rid, _ in new_records] != [rec.id for rec in records]:
        return False
    was = dict(old_records)
    for rec, (_, shape) in zip(records, new_records, strict=True):
        if kept.get(rec.id) == rec:  # left alone: it reads as it did
            if was.get(rec.id) != shape:
                return False
            continue
        layout = layouts[rec.id]
        try:
            alone = _shape(compose(path, new[layout.start : layout.end]))
        except RegistryInvalid:
            return False
        if alone[0] != "seq" or alone[2] != [shape]:
            return False
    return True
