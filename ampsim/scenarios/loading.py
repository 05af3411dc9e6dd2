"""Loading scenario files: YAML with the line of every key, `extends` chains and `--set` overrides.

A scenario file is a mapping (see docs/SCENARIOS.md). It may `extends` another file, whose values
it overrides: built-in defaults < parent (recursively) < child < `--set` overrides. Mappings merge
key by key; scalars and lists are replaced; `name` and `description` are never inherited.
Loading keeps the file and line of every key, so that each validation error is reported as one
short line, `FILE: line N: key.path: what was expected, got what`, and never as a traceback."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import ValidationError

from ampsim.core.errors import InputError
from ampsim.scenarios.document import (
    Document,
    KeyPath,
    Origin,
    coerce_values,
    container_of,
    key_paths,
    merge_documents,
    normalise_document,
    show_value,
    shown,
    split_key_path,
)
from ampsim.scenarios.messages import format_errors, parameter_errors
from ampsim.scenarios.reading import (
    MAX_EXTENDS,
    ScenarioLoader,
    YamlBuilder,
    check_path,
    compose,
    file_kind,
    parse_value,
    read_user_file,
)
from ampsim.scenarios.scenario import Scenario

__all__ = ["ScenarioLoader", "load_document", "load_scenario", "read_document", "validate_document"]


def load_scenario(path: str | os.PathLike, overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge (extends), override (--set) and validate a scenario file; the bytes of its
    files are kept, as read, for the provenance of its results."""
    document = load_document(path)
    display = shown(os.fspath(path))
    for setting in overrides:
        _apply_setting(document, setting, display)
    normalise_document(document)  # again, for what --set may have given
    scenario = validate_document(document)
    scenario._sources = tuple(document.sources)
    scenario._contents = tuple(document.contents)
    scenario._overrides = tuple(overrides)
    return scenario


def load_document(path: str | os.PathLike) -> Document:
    """A scenario file merged over its parents (extends), not yet validated."""
    check_path(Path(path), shown(os.fspath(path)))
    return _load_with_parents(Path(path), Path(path), chain=())


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
    files that extend it, to report cycles and chains longer than MAX_EXTENDS."""
    document = read_document(path, shown(str(display)))
    extends = document.data.pop("extends", None)
    if extends is None:
        return document
    origin = document.origins.get(("extends",), Origin(shown(str(display))))
    if not isinstance(extends, str) or not extends.strip():
        raise InputError(
            f"{origin}: extends: expected a file name relative to this file, got {show_value(extends)}"
        )
    chain = (*chain, (path.resolve(), shown(str(display))))
    if len(chain) >= MAX_EXTENDS:
        raise InputError(
            f"{origin}: extends: a chain of more than {MAX_EXTENDS} files (the limit), from "
            f"{chain[0][1]}; shorten the chain"
        )
    parent_path, parent_display = path.parent / extends, display.parent / extends
    check_path(parent_path, f"{origin}: extends: {shown(extends)!r}")
    if parent_path.resolve() in [resolved for resolved, _ in chain]:
        loop = [name for _, name in chain] + [shown(str(parent_display))]
        raise InputError(f"{origin}: extends: cycle: {' -> '.join(loop)}")
    kind = file_kind(parent_path)
    if kind != "a regular file":
        looked = shown(str(parent_path.resolve()), 200)
        problem = "file not found" if kind is None else f"{kind}, not a scenario file"
        raise InputError(f"{origin}: extends: {problem}: {shown(extends)!r} (looked for {looked})")
    parent = _load_with_parents(parent_path, parent_display, chain)
    return merge_documents(parent, document)


def read_document(path: Path, display: str, kind: str = "scenario file") -> Document:
    """Parse one file into a document: a mapping, with the line of every key and list item, and
    the file's bytes as read (the snapshot that provenance records)."""
    source = read_user_file(path, display, kind)
    node = compose(source.text, display)
    if node is None:
        raise InputError(
            f"{display}: the file is empty; expected a scenario mapping (name:, interventions:, ...)"
            if kind == "scenario file"
            else f"{display}: the file is empty; expected a {kind}"
        )
    if not isinstance(node, yaml.MappingNode):
        got = "a list" if isinstance(node, yaml.SequenceNode) else f"the value {shown(repr(node.value))}"
        keys = "(name:, horizon:, interventions:, ...) " if kind == "scenario file" else ""
        raise InputError(
            f"{display}: line {node.start_mark.line + 1}: expected a mapping of keys {keys}at the top "
            f"level, got {got}"
        )
    lines: dict[KeyPath, int] = {}
    data = YamlBuilder(display, lines).build(node, ())
    origins = {path_: Origin(display, line) for path_, line in lines.items()}
    document = Document(data, origins, [path], [source.data])
    document.origins[()] = Origin(display)
    normalise_document(document)
    return document


def _apply_setting(document: Document, setting: str, display: str) -> None:
    """Apply one `PATH=VALUE` override to the document, in place."""
    origin = Origin(display, setting=setting)
    text, equals, value_text = setting.partition("=")
    if not equals or not text.strip():
        raise InputError(f"{origin}: expected PATH=VALUE, e.g. parameters.labour.matching_elasticity=0.55")
    parts = split_key_path(text, origin)
    if parts[0] == "extends":
        raise InputError(f"{origin}: extends is resolved before --set; name another file to load instead")
    value = parse_value(value_text, str(origin))
    container, path = container_of(document.data, parts, origin)
    container[path[-1]] = value
    for known in [p for p in document.origins if p[: len(path)] == path]:
        del document.origins[known]
    for sub in [path, *(path + p for p in key_paths(value))]:
        document.origins[sub] = origin
