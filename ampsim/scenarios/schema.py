"""The JSON Schema of scenario files, for editors (e.g. the YAML language server)."""

from __future__ import annotations

from typing import Any

from ampsim.interventions import INTERVENTION_TYPES
from ampsim.model import ModelParameters
from ampsim.scenarios.scenario import MONTH_OR_DATE_PATTERN, Scenario


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file, for editors (e.g. the YAML language server)."""
    schema = Scenario.model_json_schema()
    parameters = ModelParameters.model_json_schema()
    definitions = schema.setdefault("$defs", {})
    for name, definition in parameters.pop("$defs", {}).items():
        if name in definitions and definitions[name] != definition:
            raise RuntimeError(f"two schema definitions named {name}")
        definitions[name] = definition
    parameters["patternProperties"] = {r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$": {}}
    definitions["ModelParameters"] = parameters
    for definition in definitions.values():
        _describe_units(definition)
    properties = schema["properties"]
    properties["parameters"] = {"$ref": "#/$defs/ModelParameters", "description": _field_text("parameters")}
    properties["extends"] = {
        "type": "string",
        "description": "a scenario file this one builds on, relative to this file",
    }
    for config in INTERVENTION_TYPES.values():
        _mark_intervention(definitions[config.__name__])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ampsim scenario",
        "description": "A policy scenario of ampsim: settings, parameter overrides and interventions.",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def _field_text(name: str) -> str:
    """The description of a Scenario field."""
    return Scenario.model_fields[name].description or ""


def _describe_units(definition: dict[str, Any]) -> None:
    """Append each parameter's unit to its description, which editors show on hover."""
    for prop in definition.get("properties", {}).values():
        if prop.get("unit") and "description" in prop:
            prop["description"] = f"{prop['description']} [{prop['unit']}]"


def _mark_intervention(definition: dict[str, Any]) -> None:
    """`type` is required, and months look like YYYY-MM, in an intervention's schema."""
    definition["required"] = sorted({"type", *definition.get("required", [])})
    for key in ("start", "end"):
        prop = definition["properties"].get(key, {})
        for branch in [prop, *prop.get("anyOf", [])]:
            if branch.get("type") == "string":
                branch["pattern"] = MONTH_OR_DATE_PATTERN
