"""Policy scenarios: YAML files of a baseline, parameter overrides and interventions.

A scenario file is a mapping (see docs/SCENARIOS.md). It may `extends` another file, whose values
it overrides: built-in defaults < parent (recursively) < child < `--set` overrides. Mappings merge
key by key; scalars and lists are replaced; `name` and `description` are never inherited.

Loading keeps the file and line of every key, so that each validation error is reported as one
short line, `FILE: line N: key.path: what was expected, got what`, and never as a traceback.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import os
import re
import shutil
import sys
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import annotated_types
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator
from pydantic.fields import FieldInfo

from ampsim.core.errors import InputError
from ampsim.core.io import atomic_path, write_text_atomic
from ampsim.interventions import INTERVENTION_TYPES, Intervention, InterventionConfig, InterventionSpec
from ampsim.model import DEFAULT_MONTHS, DEFAULT_START, ModelParameters, make_parameters

NAME_PATTERN = r"^[A-Za-z0-9_-]+$"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_OR_DATE_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$"  # what an editor may accept in a file
NOT_INHERITED = ("name", "description")
MAX_ERRORS = 20
SCENARIOS_DOC = Path(__file__).resolve().parents[2] / "docs" / "SCENARIOS.md"
REFERENCE_BEGIN = "<!-- intervention-reference:begin -->"
REFERENCE_END = "<!-- intervention-reference:end -->"

KeyPath = tuple[str | int, ...]


# --- the scenario ----------------------------------------------------------------------------
class Horizon(BaseModel):
    """The simulated period: a first month and a number of months."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str = Field(
        DEFAULT_START,
        description="first simulated month, YYYY-MM",
        json_schema_extra={"pattern": MONTH_OR_DATE_PATTERN},
    )
    months: int = Field(DEFAULT_MONTHS, ge=1, le=1200, description="number of simulated months")

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        """Refuse anything but YYYY-MM."""
        if not re.match(MONTH_PATTERN, value):
            raise ValueError(f"expected a month as YYYY-MM (e.g. 2026-01), got {value!r}")
        return value


class Scenario(BaseModel):
    """A policy scenario: settings, parameter overrides and interventions, validated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        ...,
        pattern=NAME_PATTERN,
        max_length=80,
        description="short identifier of the scenario: letters, digits, _ and - (never inherited)",
    )
    description: str = Field("", description="one or two sentences for reports (never inherited)")
    horizon: Horizon = Field(default_factory=Horizon, description="simulated period")
    scale: float = Field(0.1, gt=0, le=1, description="fraction of the real population simulated")
    replicates: int = Field(1, ge=1, le=1000, description="runs with different random streams")
    seed: int = Field(0, ge=0, description="root random seed (the same seed pairs scenarios' runs)")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of the model's parameters, as nested mappings or dotted paths",
    )
    interventions: list[InterventionSpec] = Field(
        default_factory=list,
        description="the policies, each a mapping with a `type`; replaces the parent's list",
    )

    _sources: tuple[Path, ...] = PrivateAttr(())
    _overrides: tuple[str, ...] = PrivateAttr(())

    @field_validator("description")
    @classmethod
    def _strip_description(cls, value: str) -> str:
        """Drop the newline YAML's folded texts end with."""
        return value.strip()

    @field_validator("parameters")
    @classmethod
    def _check_parameters(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Overrides must make a valid parameter tree (for scenarios built in code)."""
        make_parameters(value)  # raises InputError (a ValueError) naming the first bad parameter
        return value

    @property
    def sources(self) -> tuple[Path, ...]:
        """The files the scenario was built from: the file itself first, then its parents."""
        return self._sources

    @property
    def overrides(self) -> tuple[str, ...]:
        """The `--set PATH=VALUE` overrides applied after the files."""
        return self._overrides

    def model_parameters(self) -> ModelParameters:
        """The model's parameter tree: defaults with this scenario's overrides, validated."""
        return make_parameters(self.parameters)

    def build_interventions(self) -> list[Intervention]:
        """Fresh runtime interventions (one set per run: they keep state)."""
        return [config.build() for config in self.interventions]

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of AMPModel that the scenario sets: scale, months, start."""
        return {"scale": self.scale, "months": self.horizon.months, "start": self.horizon.start}

    def resolved(self) -> dict[str, Any]:
        """The scenario as one self-contained document (no extends), ready for YAML or JSON."""
        return self.model_dump(mode="json")


# --- loading -----------------------------------------------------------------------------------
class Origin(NamedTuple):
    """Where a value of the document comes from: a file and line, or a --set argument."""

    source: str
    line: int | None = None
    setting: str | None = None

    def __str__(self) -> str:
        if self.setting is not None:
            return f"{self.source}: --set {self.setting}"
        return f"{self.source}: line {self.line}" if self.line else self.source


@dataclass
class Document:
    """A scenario document before validation, with the origin of every key path."""

    data: dict[str, Any]
    origins: dict[KeyPath, Origin]
    sources: list[Path] = field(default_factory=list)

    def origin(self, path: KeyPath) -> Origin:
        """Origin of the longest prefix of `path` that the document knows."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.origins:
                return self.origins[path[:end]]
        return Origin(str(self.sources[0]) if self.sources else "scenario")


def load_scenario(path: str | os.PathLike, overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge (extends), override (--set) and validate a scenario file."""
    path = Path(path)
    document = _load_with_parents(path, path, chain=())
    for setting in overrides:
        _apply_setting(document, setting, str(path))
    normalise_document(document)  # again, for what --set may have given
    scenario = validate_document(document)
    scenario._sources = tuple(document.sources)
    scenario._overrides = tuple(overrides)
    return scenario


def load_document(path: str | os.PathLike) -> Document:
    """A scenario file merged over its parents (extends), not yet validated."""
    path = Path(path)
    return _load_with_parents(path, path, chain=())


def validate_document(document: Document) -> Scenario:
    """A Scenario from a merged document, or InputError with one line per problem."""
    data = _coerce_values(document.data)
    errors = _parameter_errors(data.get("parameters"))
    body = {**data, "parameters": {}} if errors else data
    try:
        scenario = Scenario.model_validate(body)
    except ValidationError as error:
        errors += error.errors()
    if errors:
        raise InputError(_format_errors(errors, document, data))
    return scenario


def _load_with_parents(path: Path, display: Path, chain: tuple[tuple[Path, str], ...]) -> Document:
    """The document of `path` merged over its parents (extends), recursively; `chain` holds the
    files that extend it, to report cycles."""
    document = read_document(path, str(display))
    extends = document.data.pop("extends", None)
    if extends is None:
        return document
    origin = document.origins.get(("extends",), Origin(str(display)))
    if not isinstance(extends, str) or not extends.strip():
        raise InputError(
            f"{origin}: extends: expected a file name relative to this file, got {_show(extends)}"
        )
    chain = (*chain, (path.resolve(), str(display)))
    parent_path, parent_display = path.parent / extends, display.parent / extends
    if parent_path.resolve() in [resolved for resolved, _ in chain]:
        loop = [shown for _, shown in chain] + [str(parent_display)]
        raise InputError(f"{origin}: extends: cycle: {' -> '.join(loop)}")
    if not parent_path.is_file():
        problem = "is a folder, not a file" if parent_path.is_dir() else "file not found"
        raise InputError(f"{origin}: extends: {problem}: {extends!r} (looked for {parent_path.resolve()})")
    parent = _load_with_parents(parent_path, parent_display, chain)
    return merge_documents(parent, document)


def merge_documents(parent: Document, child: Document) -> Document:
    """The child over its parent: mappings merge deeply, scalars and lists are replaced."""
    inherited = {key: value for key, value in parent.data.items() if key not in NOT_INHERITED}
    data = deep_merge(inherited, child.data)
    origins: dict[KeyPath, Origin] = {(): child.origins.get((), Origin(str(child.sources[0])))}
    for path in _key_paths(data):
        known = child.origins if _has_path(child.data, path) else parent.origins
        if path in known:
            origins[path] = known[path]
    return Document(data, origins, child.sources + parent.sources)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`: mappings merge key by key, anything else is replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _key_paths(value: Any, prefix: KeyPath = ()) -> Iterator[KeyPath]:
    """Every key path inside a nested value."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from _key_paths(child, (*prefix, key))


_MISSING = object()


def _child(value: Any, key: str | int) -> Any:
    """value[key] for a mapping's key or a list's index, or _MISSING."""
    if isinstance(value, dict):
        return value.get(key, _MISSING)
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        return value[key]
    return _MISSING


def _has_path(value: Any, path: KeyPath) -> bool:
    """Whether the nested value has this key path."""
    for key in path:
        value = _child(value, key)
        if value is _MISSING:
            return False
    return True


# --- YAML with line numbers ------------------------------------------------------------------
class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads 4e9 and 4.0e9 as numbers (as YAML 1.2 does)."""


ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def read_document(path: Path, display: str) -> Document:
    """Parse one file into a document: a mapping, with the line of every key and list item."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{display}: file not found (looked for {path.resolve()})") from None
    except IsADirectoryError:
        raise InputError(f"{display}: is a folder, not a scenario file") from None
    except UnicodeDecodeError:
        raise InputError(f"{display}: not a text file (expected YAML in UTF-8)") from None
    except OSError as error:
        raise InputError(f"{display}: cannot read the file: {error.strerror}") from None
    node = _compose(text, display)
    if node is None:
        raise InputError(
            f"{display}: the file is empty; expected a scenario mapping (name:, interventions:, ...)"
        )
    if not isinstance(node, yaml.MappingNode):
        got = "a list" if isinstance(node, yaml.SequenceNode) else f"the value {node.value!r}"
        raise InputError(
            f"{display}: line {node.start_mark.line + 1}: expected a mapping of keys (name:, horizon:, "
            f"interventions:, ...) at the top level, got {got}"
        )
    lines: dict[KeyPath, int] = {}
    data = _YamlBuilder(display, lines).build(node, ())
    document = Document(data, {path_: Origin(display, line) for path_, line in lines.items()}, [path])
    document.origins[()] = Origin(display)
    normalise_document(document)
    return document


def _compose(text: str, display: str) -> yaml.Node | None:
    """The YAML node tree of a text, or InputError with the line and column of a syntax error."""
    loader = ScenarioLoader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"{display}: {where}YAML syntax error: {_yaml_problem(error)}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{display}: YAML syntax error: {error}") from None
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's description of a syntax error, with a hint for the usual indentation mistakes."""
    problem, context = error.problem or "", error.context or ""
    if problem.startswith("but "):
        text = f"{context} {problem}"
    elif context and error.context_mark is not None:
        text = f"{problem} ({context} on line {error.context_mark.line + 1})"
    else:
        text = problem or context or "invalid YAML"
    if "block" in text or "mapping values are not allowed" in text:
        text += "; check the indentation (spaces only) and the colons"
    return text


class _YamlBuilder:
    """Builds plain values from YAML nodes, noting the line of each key path and refusing
    duplicate keys."""

    def __init__(self, display: str, lines: dict[KeyPath, int]):
        self.display = display
        self.lines = lines
        self.constructor = ScenarioLoader("")
        self.active: set[int] = set()  # nodes being built, to stop recursive aliases

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        """The value of `node`, found at `path` of the document."""
        self.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in self.active:
            self._fail(node, path, "a YAML alias refers to itself")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        """A number, text, boolean, date or null, as YAML resolves it."""
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            self._fail(node, path, f"cannot read this value: {getattr(error, 'problem', error)}")

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        """A mapping with plain-text keys, each given once."""
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node, path, "keys must be plain names")
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, path, "YAML merge keys (<<) are not supported; use extends")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in result:
                first = self.lines[(*path, key)]
                self._fail(
                    key_node, (*path, key), f"duplicate key {key!r}: given on line {first} and line {line}"
                )
            self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        return result

    def _fail(self, node: yaml.Node, path: KeyPath, message: str) -> typing.NoReturn:
        """Raise InputError at the node's line."""
        where = f"{self.display}: line {node.start_mark.line + 1}"
        raise InputError(f"{where}: {format_path(path)}: {message}" if path else f"{where}: {message}")


def normalise_document(document: Document) -> None:
    """Read an empty `parameters:` or `interventions:` as none, and nest dotted parameter paths."""
    data = document.data
    for key, empty in (("parameters", {}), ("interventions", [])):
        if key in data and data[key] is None:
            data[key] = empty
    if isinstance(data.get("parameters"), dict):
        data["parameters"] = _nest_dotted(document, ("parameters",))


def _nest_dotted(document: Document, root: KeyPath) -> dict[str, Any]:
    """The mapping at `root` with dotted keys (`labour.matching_elasticity: 0.5`) nested, and the
    origins of its key paths moved along."""
    nested: dict[str, Any] = {}
    placed: dict[KeyPath, Origin] = {}
    for logical, value, physical in _dotted_leaves(document.data[root[0]], root, root):
        _place(nested, root, logical[len(root) :], value, document.origin(physical), placed)
    moved: dict[KeyPath, Origin] = {}
    for path in [p for p in document.origins if p[: len(root)] == root and p != root]:
        origin = document.origins.pop(path)
        logical = _split_dotted(path)
        for end in range(len(root) + 1, len(logical) + 1):
            moved.setdefault(logical[:end], origin)
    document.origins.update(moved)
    return nested


def _split_dotted(path: KeyPath) -> KeyPath:
    """('parameters', 'labour.x') -> ('parameters', 'labour', 'x')."""
    return tuple(piece for part in path for piece in (part.split(".") if isinstance(part, str) else [part]))


def _dotted_leaves(tree: dict[str, Any], logical: KeyPath, physical: KeyPath) -> Iterator[tuple]:
    """(path with dotted keys split, value, path as written) for every leaf of a mapping."""
    for key, value in tree.items():
        split = (*logical, *str(key).split("."))
        written = (*physical, key)
        if isinstance(value, dict) and value:
            yield from _dotted_leaves(value, split, written)
        else:
            yield split, value, written


def _place(
    nested: dict[str, Any], root: KeyPath, path: KeyPath, value: Any, origin: Origin, placed: dict
) -> None:
    """Put a leaf into the nested mapping, refusing a value given twice."""
    if any(part == "" for part in path):
        raise InputError(f"{origin}: {format_path(root + path)}: empty name in a dotted path")
    node = nested
    for depth, part in enumerate(path):
        here = root + path[: depth + 1]
        last = depth == len(path) - 1
        if part in node and (last or not isinstance(node[part], dict)):
            raise InputError(f"{origin}: {format_path(here)}: given twice (also at {placed[here]})")
        placed.setdefault(here, origin)
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, {})


def _coerce_values(data: dict[str, Any]) -> dict[str, Any]:
    """Dates where months are expected (2026-01-15 unquoted is a YAML date) become '2026-01', and
    an empty description is no description."""
    data = copy.deepcopy(data)
    if "description" in data and data["description"] is None:
        data["description"] = ""
    places = [data.get("horizon")]
    if isinstance(data.get("interventions"), list):
        places += data["interventions"]
    for place in places:
        if not isinstance(place, dict):
            continue
        for key in ("start", "end"):
            if isinstance(place.get(key), datetime.date):
                place[key] = place[key].strftime("%Y-%m")
    return data


# --- --set overrides ---------------------------------------------------------------------------
def _apply_setting(document: Document, setting: str, display: str) -> None:
    """Apply one `PATH=VALUE` override to the document, in place."""
    origin = Origin(display, setting=setting)
    text, equals, value_text = setting.partition("=")
    if not equals or not text.strip():
        raise InputError(f"{origin}: expected PATH=VALUE, e.g. parameters.labour.matching_elasticity=0.55")
    parts = text.strip().split(".")
    if any(not part for part in parts):
        raise InputError(f"{origin}: empty name in the path {text!r}")
    if parts[0] == "extends":
        raise InputError(f"{origin}: extends is resolved before --set; name another file to load instead")
    value = _parse_value(value_text, origin)
    container, path = container_of(document.data, parts, origin)
    container[path[-1]] = value
    for known in [p for p in document.origins if p[: len(path)] == path]:
        del document.origins[known]
    for sub in [path, *(path + p for p in _key_paths(value))]:
        document.origins[sub] = origin


def _parse_value(text: str, origin: Origin) -> Any:
    """A --set value read as YAML: a number, true/false, a text or a [list]."""
    try:
        return yaml.load(text, Loader=ScenarioLoader)  # a SafeLoader
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            f"{origin}: the value {text!r} is not valid YAML ({problem}); put texts in quotes"
        ) from None


def container_of(data: dict[str, Any], parts: list[str], origin: Origin) -> tuple[Any, KeyPath]:
    """The mapping or list that holds the path's last part, and the path with list indices as
    numbers; missing mappings on the way are created."""
    node: Any = data
    path: list[str | int] = []
    for depth, part in enumerate(parts):
        key = _key_in(node, part, tuple(path), origin)
        path.append(key)
        if depth == len(parts) - 1:
            break
        if isinstance(node, dict) and key not in node:
            if parts[depth + 1].isdigit():
                where = format_path(tuple(path))
                raise InputError(
                    f"{origin}: {where} has no item {parts[depth + 1]}; set the whole list: {where}=[...]"
                )
            node[key] = {}
        node = node[key]
    return node, tuple(path)


def _key_in(node: Any, part: str, above: KeyPath, origin: Origin) -> str | int:
    """The key or list index `part` names in `node`, or InputError."""
    where = format_path(above) or "the scenario"
    if isinstance(node, dict):
        return part
    if isinstance(node, list):
        if not part.isdigit():
            raise InputError(f"{origin}: {where} is a list: expected an item number, got {part!r}")
        if int(part) >= len(node):
            raise InputError(
                f"{origin}: index {part} out of range: {where} has {_count(len(node), 'item')}"
                + (f" (0 to {len(node) - 1})" if node else "")
            )
        return int(part)
    raise InputError(f"{origin}: {where} is {_show(node)}, not a mapping or a list")


# --- error messages --------------------------------------------------------------------------
def _parameter_errors(parameters: Any) -> list[dict[str, Any]]:
    """Validation errors of the parameter overrides, located under `parameters`."""
    if not isinstance(parameters, dict):
        return []
    try:
        ModelParameters.model_validate(parameters)
    except ValidationError as error:
        return [{**e, "loc": ("parameters", *e["loc"])} for e in error.errors()]
    return []


def _format_errors(errors: list[dict[str, Any]], document: Document, data: dict[str, Any]) -> str:
    """One line per problem, in the order of the file, at most MAX_ERRORS of them."""
    grouped: dict[KeyPath, list[dict[str, Any]]] = {}
    for error in errors:
        path = _clean_path(error, data)
        grouped.setdefault(path, []).append(error)
    lines: list[str] = []
    for path, group in grouped.items():
        origin = document.origin(path)
        path_text = format_path(path)
        for text in _describe_group(group, path, data):
            line = f"{origin}: {path_text}: {text}" if path_text else f"{origin}: {text}"
            if line not in lines:
                lines.append(line)
    lines.sort(key=_line_order)
    if len(lines) > MAX_ERRORS:
        lines = [*lines[:MAX_ERRORS], f"... and {len(lines) - MAX_ERRORS} more"]
    return "\n".join(lines)


def _line_order(message: str) -> tuple[str, int]:
    """Sort key: the file, then the line (messages without a line first)."""
    match = re.match(r"^(.*?): line (\d+):", message)
    return (match.group(1), int(match.group(2))) if match else (message.split(": ")[0], 0)


def _clean_path(error: dict[str, Any], data: dict[str, Any]) -> KeyPath:
    """The error's location as a key path of the document, without pydantic's union labels."""
    loc = error["loc"]
    path: list[str | int] = []
    node: Any = data
    for index, part in enumerate(loc):
        child = _child(node, part)
        is_tag = isinstance(node, dict) and part == node.get("type")
        if child is _MISSING and (is_tag or not (index == len(loc) - 1 and isinstance(node, dict))):
            continue  # a discriminator tag or a union member's label
        node = None if child is _MISSING else child  # _MISSING: a missing key, the last part
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
        return [f"expected {' or '.join(dict.fromkeys(expectations))}, got {_show(group[0]['input'])}"]
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
    if kind in _RANGE_ERRORS:
        expected = f"{_number_kind(info)} {_bounds(info, context)}"
        return f"expected {expected}, got {_show(value)}{_unit(info)}"
    if kind == "string_type" and path[-1:] in (("start",), ("end",)):
        return f"expected a month as YYYY-MM (e.g. 2026-01), got {_show(value)}"
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}, got {_show(value)}{_quote_hint(kind, value)}"
    if kind == "string_pattern_mismatch" and path == ("name",):
        return f"expected a short identifier of letters, digits, _ and - (e.g. euromed_2), got {_show(value)}"
    if kind == "literal_error":
        return f"expected one of {context.get('expected')}, got {_show(value)}"
    if kind in ("too_short", "too_long"):
        limit = (
            f"at least {context.get('min_length')}"
            if kind == "too_short"
            else f"at most {context.get('max_length')}"
        )
        return f"expected {limit} items, got {_show(value)}"
    message = error["msg"]
    return f"{message[:1].lower()}{message[1:]}, got {_show(value)}"


def _missing(path: KeyPath, value: Any, info: FieldInfo | None) -> str:
    """A required key that is absent, or a list with too few items."""
    if isinstance(value, list):
        size = _tuple_size(info)
        return f"expected {_count(size, 'item') if size else 'more items'}, got {_count(len(value), 'item')}"
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
    if len(path) == 2 and path[0] == "interventions" and _has_path(data, path):
        item = data["interventions"][path[1]]
        return INTERVENTION_TYPES.get(item.get("type")) if isinstance(item, dict) else None
    return None


def _bounds(info: FieldInfo | None, context: dict[str, Any] | None = None) -> str:
    """'in (0, 1]', '>= 0'...: the field's bounds, else those of the error's context."""
    found = _field_bounds(info) or {k: v for k, v in (context or {}).items() if k in ("gt", "ge", "lt", "le")}
    low = next(
        (f"{bracket}{_number(found[key])}" for key, bracket in (("gt", "("), ("ge", "[")) if key in found), ""
    )
    high = next(
        (f"{_number(found[key])}{bracket}" for key, bracket in (("lt", ")"), ("le", "]")) if key in found), ""
    )
    if low and high:
        return f"in {low}, {high}"
    symbols = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}
    return " and ".join(f"{symbols[key]} {_number(value)}" for key, value in found.items())


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


def _count(number: int | None, noun: str) -> str:
    """'1 item', '3 items'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _number(value: Any) -> str:
    """4000000000.0 -> '4000000000', 0.5 -> '0.5'."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    """A short rendering of a user's value for a message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        text = repr(value)
        return text if len(text) <= 40 else f"a list of {_count(len(value), 'item')}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def format_path(path: KeyPath) -> str:
    """('interventions', 1, 'budget_eur') -> 'interventions[1].budget_eur'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- JSON Schema -------------------------------------------------------------------------------
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


# --- provenance --------------------------------------------------------------------------------
def resolved_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML, with a header saying what it was built from."""
    import ampsim

    built_from = ", ".join(str(path) for path in scenario.sources) or "(no file)"
    header = [
        f"# Scenario {scenario.name}, resolved by ampsim {ampsim.__version__}:",
        "# built-in defaults < extends chain < file < --set overrides. Everything inherited is",
        "# written out; parameters not listed keep the model's defaults.",
        f"# Built from: {built_from}",
    ]
    header += [f"# --set {setting}" for setting in scenario.overrides]
    body = yaml.safe_dump(scenario.resolved(), sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body


def write_provenance(scenario: Scenario, directory: str | os.PathLike) -> None:
    """Write scenario.resolved.yaml and copies of the source files into `directory`/sources/."""
    directory = Path(directory)
    text = resolved_yaml(scenario)
    copies = list(zip(_source_names(scenario.sources), scenario.sources, strict=True))
    for _, source in copies:
        if not source.is_file():
            raise InputError(f"{source}: source file of scenario {scenario.name} no longer exists")
    write_text_atomic(directory / "scenario.resolved.yaml", text)
    for name, source in copies:
        with atomic_path(directory / "sources" / name) as temporary:
            shutil.copyfile(source, temporary)


def _source_names(sources: Sequence[Path]) -> list[str]:
    """File names for the copies, made unique when two sources share a name."""
    names: list[str] = []
    for source in sources:
        name, number = source.name, 2
        while name in names:
            name = f"{source.stem}-{number}{source.suffix}"
            number += 1
        names.append(name)
    return names


# --- documentation -----------------------------------------------------------------------------
def intervention_reference() -> str:
    """Markdown tables of the intervention types and their fields, from the config classes."""
    common = InterventionConfig.model_fields
    parts = ["Fields every intervention has:", "", *_field_table(InterventionConfig, common)]
    for type_name, config in INTERVENTION_TYPES.items():
        specific = {k: v for k, v in config.model_fields.items() if k not in common}
        parts += ["", f"### `{type_name}`", "", (config.__doc__ or "").strip(), ""]
        parts += _field_table(config, specific) if specific else ["No fields beyond the common ones."]
    return "\n".join(parts)


def _field_table(config: type[BaseModel], fields: Mapping[str, FieldInfo]) -> list[str]:
    """Markdown rows: field, default, allowed values, description."""
    rows = ["| field | default | allowed | description |", "|---|---|---|---|"]
    for name, info in fields.items():
        if name == "type":
            continue
        required = info.is_required()
        default = "required" if required else _doc_default(info.get_default(call_default_factory=True))
        allowed = "month, YYYY-MM" if name in ("start", "end") else _type_text(info.annotation)
        allowed = f"{allowed} {_bounds(info)}".strip()
        rows.append(f"| `{name}` | {default} | {allowed} | {info.description or ''} |")
    return rows


def _doc_default(value: Any) -> str:
    """A default value as shown in the reference tables."""
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return "[]" if not value else f"`{list(value)}`"
    return f"`{_number(value) if isinstance(value, float | int) else value}`"


def _type_text(annotation: Any) -> str:
    """'whole number', 'list of texts', 'one of NO2, PM10, PM2.5'... for the reference tables."""
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(str(arg) for arg in args)
    if origin is list:
        members = typing.get_args(args[0]) or args
        return "list of " + " or ".join(f"{_type_text(member)}s" for member in members)
    if args and origin is not tuple:
        return " or ".join(_type_text(arg) for arg in args)
    words = {int: "whole number", float: "number", str: "text", bool: "true or false"}
    return words.get(annotation, getattr(annotation, "__name__", str(annotation)))


def render_reference(document: str) -> str:
    """The document with its intervention reference replaced by the current one."""
    head, _, rest = document.partition(REFERENCE_BEGIN)
    _, _, tail = rest.partition(REFERENCE_END)
    return f"{head}{REFERENCE_BEGIN}\n{intervention_reference()}\n{REFERENCE_END}{tail}"


if __name__ == "__main__":
    SCENARIOS_DOC.write_text(render_reference(SCENARIOS_DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
