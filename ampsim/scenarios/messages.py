"""Validation errors as prose: one line per problem, with the file and line it comes from, what
was expected (bounds, units, allowed keys, the closest name) and what was given."""

from __future__ import annotations

import datetime
import difflib
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ampsim.interventions import INTERVENTION_TYPES
from ampsim.model import ModelParameters
from ampsim.scenarios.document import (
    MISSING,
    Document,
    KeyPath,
    count_text,
    format_path,
    has_path,
    number_text,
    show_value,
    shown,
    value_at,
)
from ampsim.scenarios.scenario import Horizon, Scenario

MAX_ERRORS = 20


def parameter_errors(parameters: Any) -> list[dict[str, Any]]:
    """Validation errors of the parameter overrides, located under `parameters`."""
    if not isinstance(parameters, dict):
        return []
    try:
        ModelParameters.model_validate(parameters)
    except ValidationError as error:
        return [{**e, "loc": ("parameters", *e["loc"])} for e in error.errors()]
    return []


def format_errors(errors: list[dict[str, Any]], document: Document, data: dict[str, Any]) -> str:
    """One line per problem, in the order of the file, at most MAX_ERRORS of them.

    Linear in the number of errors: places are sorted by their file and line, and only the first
    places are described (a file with 50,000 unknown keys is reported as fast as one with two)."""
    grouped: dict[KeyPath, list[dict[str, Any]]] = {}
    for error in errors:
        grouped.setdefault(_clean_path(error, data), []).append(error)
    origins = {path: document.origin(path) for path in grouped}
    places = sorted(grouped, key=lambda path: (origins[path].source, origins[path].line or 0))
    lines: dict[str, None] = {}  # an ordered set
    described = 0
    for path in places:
        if len(lines) >= MAX_ERRORS:
            break
        described += 1
        path_text = shown(format_path(path), 200)
        for text in _describe_group(grouped[path], path, data):
            lines[f"{origins[path]}: {path_text}: {text}" if path_text else f"{origins[path]}: {text}"] = None
    result = list(lines)[:MAX_ERRORS]
    more = len(lines) - len(result) + len(places) - described
    if more:
        result.append(f"... and {more:,} more")
    return "\n".join(result)


def _clean_path(error: dict[str, Any], data: dict[str, Any]) -> KeyPath:
    """The error's location as a key path of the document, without pydantic's union labels."""
    loc = error["loc"]
    path: list[str | int] = []
    node: Any = data
    for index, part in enumerate(loc):
        child = value_at(node, part)
        is_tag = isinstance(node, dict) and part == node.get("type")
        if child is MISSING and (is_tag or not (index == len(loc) - 1 and isinstance(node, dict))):
            continue  # a discriminator tag or a union member's label
        node = None if child is MISSING else child  # MISSING: a missing key, the last part
        path.append(part)
    if error["type"] == "missing" and path and isinstance(path[-1], int):
        path.pop()  # a list too short: report it on the list
    if error["type"].startswith("union_tag") and isinstance(node, dict) and "type" in node:
        path.append("type")
    return tuple(path)


def _describe_group(group: list[dict[str, Any]], path: KeyPath, data: dict[str, Any]) -> list[str]:
    """Messages for the errors at one place; a union's alternatives become 'expected A or B'."""
    expectations = [_TYPE_WORDS.get(error["type"]) for error in group]
    if len(group) > 1 and all(expectations):
        return [f"expected {' or '.join(dict.fromkeys(expectations))}, got {show_value(group[0]['input'])}"]
    return [_describe(error, path, data) for error in group]


_TYPE_WORDS = {
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "a text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value lines)",
    "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)",
}


_RANGE_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def _describe(error: dict[str, Any], path: KeyPath, data: dict[str, Any]) -> str:
    """What was expected at `path`, and what was given."""
    kind, value, context = error["type"], error["input"], error.get("ctx") or {}
    owner, info = _field_at(path, data)
    if kind == "missing":
        return _missing(path, value, info)
    if kind == "extra_forbidden":
        return _unknown_key(path, owner)
    if kind == "union_tag_invalid":
        return _unknown_type(context.get("tag"))
    if kind == "union_tag_not_found":
        return f"missing `type`: expected one of: {', '.join(INTERVENTION_TYPES)}"
    if kind in ("value_error", "assertion_error"):
        return str(context.get("error", error["msg"]))
    if kind in _RANGE_ERRORS or (kind == "int_parsing_size" and _field_bounds(info)):
        expected = f"{_number_kind(info)} {bounds_text(info, context)}"
        return f"expected {expected}, got {show_value(value)}{_unit(info)}"
    if kind == "string_type" and path[-1:] in (("start",), ("end",)):
        return f"expected a month as YYYY-MM (e.g. 2026-01), got {show_value(value)}"
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {show_value(value)}{_quote_hint(kind, value)}"
    if kind == "string_pattern_mismatch" and path == ("name",):
        expected = "a short identifier of letters, digits, _ and - (e.g. euromed_2)"
        return f"expected {expected}, got {show_value(value)}"
    if kind == "literal_error":
        return f"expected one of {context.get('expected')}, got {show_value(value)}"
    if kind in ("too_short", "too_long"):
        limit = (
            f"at least {context.get('min_length')}"
            if kind == "too_short"
            else f"at most {context.get('max_length')}"
        )
        return f"expected {limit} items, got {show_value(value)}"
    message = error["msg"]
    return f"{message[:1].lower()}{message[1:]}, got {show_value(value)}"


def _missing(path: KeyPath, value: Any, info: FieldInfo | None) -> str:
    """A required key that is absent, or a list with too few items."""
    if isinstance(value, list):
        size = _tuple_size(info)
        expected = count_text(size, "item") if size else "more items"
        return f"expected {expected}, got {count_text(len(value), 'item')}"
    if path == ("name",):
        return "required: every scenario has its own name (letters, digits, _ and -), even one that extends"
    return f"required ({info.description})" if info is not None and info.description else "required"


def _unknown_key(path: KeyPath, owner: type[BaseModel] | None) -> str:
    """Unknown key: the keys allowed at that place, and the closest one."""
    key = str(path[-1])
    what = "parameter" if path[:1] == ("parameters",) else "key"
    if owner is None:
        return f"unknown {what} {key!r}"
    allowed = list(owner.model_fields) + (["extends"] if owner is Scenario else [])
    message = f"unknown {what} {key!r}; allowed here: {', '.join(allowed)}"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    return message + (f"; did you mean {close[0]!r}?" if close else "")


def _unknown_type(tag: Any) -> str:
    """Unknown intervention type: the known types, and the closest one."""
    known = list(INTERVENTION_TYPES)
    message = f"unknown intervention type {tag!r}; known types: {', '.join(known)}"
    close = difflib.get_close_matches(str(tag), known, n=1, cutoff=0.5)
    return message + (f"; did you mean {close[0]!r}?" if close else "")


def _field_at(path: KeyPath, data: dict[str, Any]) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The model that validates the mapping holding path[-1], and that key's field."""
    while path and isinstance(path[-1], int):  # an item of a list: the list's field
        path = path[:-1]
    if not path:
        return None, None
    owner = _mapping_model(path[:-1], data)
    info = owner.model_fields.get(str(path[-1])) if owner is not None else None
    return owner, info


def _mapping_model(path: KeyPath, data: dict[str, Any]) -> type[BaseModel] | None:
    """The model that validates the mapping found at `path` of the document."""
    if path == ():
        return Scenario
    if path == ("horizon",):
        return Horizon
    if path[0] == "parameters":
        model: type[BaseModel] = ModelParameters
        for part in path[1:]:
            info = model.model_fields.get(str(part))
            annotation = info.annotation if info is not None else None
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return None
            model = annotation
        return model
    if len(path) == 2 and path[0] == "interventions" and has_path(data, path):
        item = data["interventions"][path[1]]
        return INTERVENTION_TYPES.get(item.get("type")) if isinstance(item, dict) else None
    return None


def bounds_text(info: FieldInfo | None, context: dict[str, Any] | None = None) -> str:
    """'in (0, 1]', '>= 0'...: the field's bounds, else those of the error's context."""
    found = _field_bounds(info) or {k: v for k, v in (context or {}).items() if k in ("gt", "ge", "lt", "le")}
    low = next(
        (
            f"{bracket}{number_text(found[key])}"
            for key, bracket in (("gt", "("), ("ge", "["))
            if key in found
        ),
        "",
    )
    high = next(
        (
            f"{number_text(found[key])}{bracket}"
            for key, bracket in (("lt", ")"), ("le", "]"))
            if key in found
        ),
        "",
    )
    if low and high:
        return f"in {low}, {high}"
    symbols = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    return " and ".join(f"{symbols[key]} {number_text(value)}" for key, value in found.items())


def _field_bounds(info: FieldInfo | None) -> dict[str, Any]:
    """The gt, ge, lt and le constraints of a field."""
    found = {}
    for item in info.metadata if info is not None else ():
        for name in ("gt", "ge", "lt", "le"):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                found[name] = getattr(item, name)
    return found


def _number_kind(info: FieldInfo | None) -> str:
    """A whole number or a number, as the field expects."""
    annotation = info.annotation if info is not None else None
    whole = annotation is int or typing.get_args(annotation) == (int, type(None))
    return "a whole number" if whole else "a number"


def _unit(info: FieldInfo | None) -> str:
    """' (unit: ...)' for a parameter with a meaningful unit."""
    extra = info.json_schema_extra if info is not None and isinstance(info.json_schema_extra, dict) else {}
    return f" (unit: {extra['unit']})" if extra.get("unit") not in (None, "", "1") else ""


def _tuple_size(info: FieldInfo | None) -> int | None:
    """Number of items of a fixed-size list parameter."""
    args = typing.get_args(info.annotation) if info is not None else ()
    return len(args) if args and Ellipsis not in args else None


def _quote_hint(kind: str, value: Any) -> str:
    """Advice for a number or date given where a text is expected."""
    if kind == "string_type" and isinstance(value, (int, float, bool, datetime.date)):
        return " (put it in quotes)"
    return ""
