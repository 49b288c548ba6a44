"""The published JSON Schema of a paper-record line (``shapes/paper-record.schema.json``),
generated from the models that read the lines, so the file and the reader cannot disagree.
"""

from __future__ import annotations

import json
from typing import Any

from .jsonl_model import SCHEMA_ID, RecordModel

__all__ = ["record_schema", "record_schema_json"]

_KEY_ORDER = (
    "$schema",
    "$id",
    "title",
    "type",
    "description",
    "enum",
    "pattern",
    "minimum",
    "minItems",
    "maxItems",
    "items",
    "required",
    "additionalProperties",
    "properties",
)


def record_schema() -> dict[str, Any]:
    """The JSON Schema of one line, as ``shapes/paper-record.schema.json`` publishes it."""
    generated = RecordModel.model_json_schema()
    defs = generated.pop("$defs", {})
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": generated["title"],
        **_plain(generated, defs),
    }
    # A reader takes a line without "schema" as this version; a writer always writes it.
    schema["required"] = ["schema", *schema["required"]]
    return schema


def record_schema_json() -> str:
    """:func:`record_schema` as the file holds it (``tools/gen_docs.py`` writes it)."""
    return json.dumps(record_schema(), indent=2, ensure_ascii=False) + "\n"


def _plain(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Pydantic's schema in the few keywords the file promises (docs/paper-record-jsonl.md):
    definitions inlined, ``X | None`` as a type list, no titles or defaults (descriptions say
    the defaults), constants as one-value enums.
    """
    node = dict(node)
    ref = node.pop("$ref", None)
    if ref is not None:
        node = {**defs[ref.rsplit("/", 1)[-1]], **node}
    options = node.pop("anyOf", None)
    if options is not None:
        value, null = options
        if null != {"type": "null"}:
            raise ValueError(f"only X | None is published, not {options}")
        value = _plain(value, defs)
        node = {**value, **node, "type": [value["type"], "null"]}
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for key in ("title", "default"):
        node.pop(key, None)
    if "description" in node:  # docstrings are wrapped
        node["description"] = " ".join(node["description"].split())
    if "properties" in node:
        node["properties"] = {k: _plain(v, defs) for k, v in node["properties"].items()}
    if "items" in node:
        node["items"] = _plain(node["items"], defs)
    # A keyword outside _KEY_ORDER fails here: the file promises those only.
    return {key: node[key] for key in sorted(node, key=_KEY_ORDER.index)}
