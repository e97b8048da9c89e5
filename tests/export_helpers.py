"""What the export tests share: Astrid's full plan, and reading a Bundle back with the FHIR
library's R4B models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

EXPORT = "/min-plan/ladda-ner/nara-min-plan.json"
WHOLE = "/min-plan/hela"


def validated(bundle: dict[str, Any]) -> Bundle:
    """The Bundle parsed by fhir.resources' R4B models, and every entry by its own model
    (which raises for anything the model does not allow)."""
    parsed = Bundle.model_validate(bundle)
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return parsed


def references(node: Any) -> Iterator[str]:
    """Every `reference` anywhere in the JSON, and every canonical to a Questionnaire."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            elif key == "questionnaire" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def unresolved(bundle: dict[str, Any]) -> list[str]:
    entries = bundle.get("entry", [])
    full_urls = {entry["fullUrl"] for entry in entries}
    canonicals = {entry["resource"].get("url") for entry in entries}
    return [ref for ref in references(bundle) if ref not in full_urls | canonicals]


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == kind]


def by_ref(bundle: dict[str, Any], reference: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["fullUrl"] == reference)


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
