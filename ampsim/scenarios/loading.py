"""Loading scenario files: YAML with the line of every key, `extends` chains and `--set` overrides.

A scenario file is a mapping (see docs/SCENARIOS.md). It may `extends` another file, whose values
it overrides: built-in defaults < parent (recursively) < child < `--set` overrides. Mappings merge
key by key; scalars and lists are replaced; `name` and `description` are never inherited.
Loading keeps the file and line of every key, so that each validation error is reported as one
short line, `FILE: line N: key.path: what was expected, got what`, and never as a traceback."""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ampsim.core.errors import InputError
from ampsim.scenarios.document import (
    Document,
    KeyPath,
    Origin,
    coerce_values,
    container_of,
    format_path,
    key_paths,
    merge_documents,
    normalise_document,
    show_value,
)
from ampsim.scenarios.messages import format_errors, parameter_errors
from ampsim.scenarios.scenario import Scenario


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads 4e9 and 4.0e9 as numbers (as YAML 1.2 does)."""


ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


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
    data = coerce_values(document.data)
    errors = parameter_errors(data.get("parameters"))
    body = {**data, "parameters": {}} if errors else data
    try:
        scenario = Scenario.model_validate(body)
    except ValidationError as error:
        errors += error.errors()
    if errors:
        raise InputError(format_errors(errors, document, data))
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
            f"{origin}: extends: expected a file name relative to this file, got {show_value(extends)}"
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
    for sub in [path, *(path + p for p in key_paths(value))]:
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
