"""A scenario document before validation: nested plain values, the origin (file and line, or
`--set` argument) of every key path, how documents merge (extends), and key paths as text."""

from __future__ import annotations

import copy
import datetime
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ampsim.core.errors import InputError

NOT_INHERITED = ("name", "description")
MAX_PATH_PARTS = 64  # parts of a `--set` or factor path (the deepest real path has 4)


KeyPath = tuple[str | int, ...]


class Origin(NamedTuple):
    """Where a value of the document comes from: a file and line, or a --set argument."""

    source: str
    line: int | None = None
    setting: str | None = None

    def __str__(self) -> str:
        if self.setting is not None:
            setting = self.setting if len(self.setting) <= 100 else self.setting[:97] + "..."
            return f"{self.source}: --set {setting}"
        return f"{self.source}: line {self.line}" if self.line else self.source


@dataclass
class Document:
    """A scenario document before validation, with the origin of every key path, and its files
    with their bytes as read (`contents[i]` is the content of `sources[i]`)."""

    data: dict[str, Any]
    origins: dict[KeyPath, Origin]
    sources: list[Path] = field(default_factory=list)
    contents: list[bytes] = field(default_factory=list)

    def origin(self, path: KeyPath) -> Origin:
        """Origin of the longest prefix of `path` that the document knows."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.origins:
                return self.origins[path[:end]]
        return Origin(str(self.sources[0]) if self.sources else "scenario")


def merge_documents(parent: Document, child: Document) -> Document:
    """The child over its parent: mappings merge deeply, scalars and lists are replaced."""
    inherited = {key: value for key, value in parent.data.items() if key not in NOT_INHERITED}
    data = deep_merge(inherited, child.data)
    origins: dict[KeyPath, Origin] = {(): child.origins.get((), Origin(str(child.sources[0])))}
    for path in key_paths(data):
        known = child.origins if has_path(child.data, path) else parent.origins
        if path in known:
            origins[path] = known[path]
    return Document(data, origins, child.sources + parent.sources, child.contents + parent.contents)


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`: mappings merge key by key, anything else is replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def key_paths(value: Any, prefix: KeyPath = ()) -> Iterator[KeyPath]:
    """Every key path inside a nested value."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        yield (*prefix, key)
        yield from key_paths(child, (*prefix, key))


MISSING = object()


def value_at(value: Any, key: str | int) -> Any:
    """value[key] for a mapping's key or a list's index, or MISSING."""
    if isinstance(value, dict):
        return value.get(key, MISSING)
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        return value[key]
    return MISSING


def has_path(value: Any, path: KeyPath) -> bool:
    """Whether the nested value has this key path."""
    for key in path:
        value = value_at(value, key)
        if value is MISSING:
            return False
    return True


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


def coerce_values(data: dict[str, Any]) -> dict[str, Any]:
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
            if _is_index(parts[depth + 1]):
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
        if not _is_index(part):
            raise InputError(f"{origin}: {where} is a list: expected an item number, got {part!r}")
        if int(part) >= len(node):
            raise InputError(
                f"{origin}: index {part} out of range: {where} has {count_text(len(node), 'item')}"
                + (f" (0 to {len(node) - 1})" if node else "")
            )
        return int(part)
    raise InputError(f"{origin}: {where} is {show_value(node)}, not a mapping or a list")


def _is_index(part: str) -> bool:
    """Whether a path part is a list index: ASCII digits only."""
    return part.isascii() and part.isdigit()


def split_key_path(text: str, origin: Origin) -> list[str]:
    """The parts of a dotted path (`--set` or a factor), or InputError: at most MAX_PATH_PARTS
    parts, none empty, each plain ASCII (the NFKC form is suggested for look-alikes such as ¹)."""
    parts = text.strip().split(".")
    if len(parts) > MAX_PATH_PARTS:
        raise InputError(f"{origin}: the path has {len(parts):,} parts; at most {MAX_PATH_PARTS}")
    for part in parts:
        if not part:
            raise InputError(f"{origin}: empty name in the path {text.strip()[:100]!r}")
        if not part.isascii():
            normal = unicodedata.normalize("NFKC", part)
            hint = f"; did you mean {normal!r}?" if normal.isascii() and normal != part else ""
            raise InputError(
                f"{origin}: {part[:40]!r} in the path is not plain ASCII: expected key names of "
                f"letters, digits and _, or item numbers{hint}"
            )
    return parts


def format_path(path: KeyPath) -> str:
    """('interventions', 1, 'budget_eur') -> 'interventions[1].budget_eur'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def show_value(value: Any) -> str:
    """A short rendering of a user's value for a message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        text = repr(value)
        return text if len(text) <= 40 else f"a list of {count_text(len(value), 'item')}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "...'"


def shown(text: str, limit: int = 100) -> str:
    """A user's file name, key or value, shortened for a message when it is very long."""
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 4 :]}"


def count_text(number: int | None, noun: str) -> str:
    """'1 item', '3 items'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def number_text(value: Any) -> str:
    """4000000000.0 -> '4000000000', 0.5 -> '0.5'."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
