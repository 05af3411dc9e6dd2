"""Reading user files and YAML safely: the one reader of scenario, `extends` and experiment files,
and the YAML composer and builder with bounds, for files and `--set` values alike.

A user file is read only if it is a regular file (never a FIFO, a device or a folder) of at most
MAX_FILE_BYTES, in UTF-8, without NUL or other control characters than tab, newline and carriage
return. Its YAML may nest at most MAX_DEPTH levels and hold at most MAX_VALUES values once its
aliases (`*name`) are expanded, so that neither a deep nor an exponential document ("billion
laughs") can exhaust the stack, the memory or the time. Every refusal is one InputError line
naming the file (and line and column where there is one). The limits are in docs/SCENARIOS.md.
"""

from __future__ import annotations

import os
import re
import stat
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ampsim.core.errors import InputError
from ampsim.scenarios.document import KeyPath, format_path, shown

MAX_FILE_BYTES = 1_000_000  # a scenario is a few kB; 1 MB is far beyond any real one
MAX_DEPTH = 64  # nesting levels of a document, and parts of a key path (real files use 5)
MAX_VALUES = 100_000  # values of a document, aliases expanded (real files have a few hundred)
MAX_EXTENDS = 20  # files in an `extends` chain (the repository's chains have 2)
MAX_NAME_BYTES = 255  # one file or folder name (the usual file systems' limit)
MAX_PATH_BYTES = 4095  # a whole path (Linux's PATH_MAX, less the final NUL)

# what YAML refuses or reads as a line break, and control characters: tab, LF and CR only
_FORBIDDEN = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class SourceFile:
    """A user file as read once: its path, its name in messages, its bytes and its text."""

    path: Path
    display: str
    data: bytes
    text: str


def read_user_file(path: str | os.PathLike, display: str, kind: str = "scenario file") -> SourceFile:
    """Read a user file with the checks above; InputError naming `display` otherwise."""
    path = Path(path)
    check_path(path, display)
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(
            f"{display}: file not found (looked for {shown(str(path.absolute()), 200)})"
        ) from None
    except OSError as error:
        raise InputError(f"{display}: cannot open the file: {error.strerror}") from None
    try:
        data = _read_regular(handle, display, kind)
    finally:
        os.close(handle)
    return SourceFile(path, display, data, decode_text(data, display, kind))


def check_path(path: Path, display: str) -> None:
    """InputError for a path the system could not open: too long, or holding a NUL."""
    text = os.fspath(path)
    if "\x00" in text:
        raise InputError(f"{display}: a file name cannot contain a NUL character")
    encoded = os.fsencode(text)
    if len(encoded) > MAX_PATH_BYTES:
        raise InputError(f"{display}: path too long ({len(encoded):,} bytes; at most {MAX_PATH_BYTES:,})")
    longest = max((len(part) for part in encoded.split(b"/")), default=0)
    if longest > MAX_NAME_BYTES:
        raise InputError(
            f"{display}: file name too long ({longest:,} bytes; at most {MAX_NAME_BYTES} per name)"
        )


def _read_regular(handle: int, display: str, kind: str) -> bytes:
    """The bytes of an open regular file of at most MAX_FILE_BYTES."""
    info = os.fstat(handle)
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{display}: is a folder, not a {kind}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{display}: is {_file_kind(info.st_mode)}, not a regular file; expected a {kind}")
    too_big = f"{display}: larger than {MAX_FILE_BYTES:,} bytes, the limit for a {kind}"
    if info.st_size > MAX_FILE_BYTES:
        raise InputError(f"{too_big} ({info.st_size:,} bytes)")
    os.set_blocking(handle, True)
    chunks, size = [], 0
    while size <= MAX_FILE_BYTES:  # the file may grow while it is read
        chunk = os.read(handle, MAX_FILE_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_FILE_BYTES:
        raise InputError(too_big)
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    """'a named pipe (FIFO)', 'a character device'... for a message."""
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((text for test, text in kinds if test(mode)), "not a regular file")


def file_kind(path: Path) -> str | None:
    """What `path` is ('a regular file', 'a folder', 'a named pipe (FIFO)'...), None if absent."""
    try:
        return _file_kind(os.stat(path).st_mode)
    except (OSError, ValueError):
        return None


def decode_text(data: bytes, display: str, kind: str = "scenario file") -> str:
    """UTF-8 text without forbidden characters (a leading byte-order mark is dropped)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_column(data.decode("utf-8", errors="replace"), _char_index(data, error.start))
        raise InputError(
            f"{display}: line {line}, column {column}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
            f"expected a {kind} in UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    check_characters(text, display)
    return text


def check_characters(text: str, where: str, lines: bool = True) -> None:
    """InputError at the first NUL or control character (other than tab, newline, CR) of a text."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return
    char = found.group()
    name = "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"
    if lines:
        line, column = _line_column(text, found.start())
        where = f"{where}: line {line}, column {column}"
    raise InputError(f"{where}: {name} is not allowed (only tabs, newlines and printable text)")


def _char_index(data: bytes, byte_index: int) -> int:
    """Index in the decoded (with replacements) text of the byte at `byte_index`."""
    return len(data[:byte_index].decode("utf-8", errors="replace"))


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --- YAML ----------------------------------------------------------------------------------------
class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader that also reads 4e9 and 4.0e9 as numbers (as YAML 1.2 does)."""


ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


class _BoundedLoader(ScenarioLoader):
    """The loader, composing at most MAX_VALUES nodes nested at most MAX_DEPTH levels."""

    def __init__(self, text: str, where: str):
        super().__init__(text)
        self.where, self.depth, self.nodes = where, 0, 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self.nodes += 1
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH or self.nodes > MAX_VALUES:
                line = self.peek_event().start_mark.line + 1
                problem = (
                    f"nests more than {MAX_DEPTH} levels deep"
                    if self.depth > MAX_DEPTH
                    else f"has more than {MAX_VALUES:,} values"
                )
                raise InputError(f"{self.where}: line {line}: the document {problem} (the limit)")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def compose(text: str, where: str) -> yaml.Node | None:
    """The YAML node tree of a text, or InputError with the line and column of a syntax error."""
    check_characters(text, where)
    loader = _BoundedLoader(text, where)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"{where}: {at}YAML syntax error: {_yaml_problem(error)}") from None
    except yaml.YAMLError as error:
        raise InputError(f"{where}: YAML syntax error: {' '.join(str(error).split())}") from None
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


class YamlBuilder:
    """Builds plain values from YAML nodes, noting the line of each key path, refusing duplicate
    keys, and stopping at MAX_VALUES values (aliases expanded) or MAX_DEPTH levels."""

    def __init__(self, where: str, lines: dict[KeyPath, int] | None = None):
        self.where = where  # the file, or the --set argument (then without lines)
        self.lines = lines
        self.constructor = ScenarioLoader("")
        self.active: set[int] = set()  # nodes being built, to stop recursive aliases
        self.built = 0

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        """The value of `node`, found at `path` of the document."""
        self.built += 1
        if self.built > MAX_VALUES:
            self._fail(
                node,
                (),
                f"the document has more than {MAX_VALUES:,} values once its aliases (*name) are "
                "expanded (the limit)",
            )
        if len(path) > MAX_DEPTH:
            self._fail(
                node,
                (),
                f"the document nests more than {MAX_DEPTH} levels deep once its aliases (*name) are "
                "expanded (the limit)",
            )
        if self.lines is not None:
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
        except (yaml.YAMLError, ValueError, OverflowError) as error:
            self._fail(node, path, f"cannot read this value: {getattr(error, 'problem', None) or error}")

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        """A mapping with plain-text keys, each given once."""
        result: dict[str, Any] = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node, path, "keys must be plain names")
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, path, "YAML merge keys (<<) are not supported; use extends")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in result:
                self._fail(
                    key_node,
                    (*path, key),
                    f"duplicate key {shown(key)!r}: given on line {first_lines[key]} and line {line}",
                )
            first_lines[key] = line
            if self.lines is not None:
                self.lines[(*path, key)] = line
            result[key] = self.build(value_node, (*path, key))
        return result

    def _fail(self, node: yaml.Node, path: KeyPath, message: str) -> typing.NoReturn:
        """Raise InputError at the node's line (files) or at the --set argument."""
        where = f"{self.where}: line {node.start_mark.line + 1}" if self.lines is not None else self.where
        raise InputError(
            f"{where}: {shown(format_path(path), 200)}: {message}" if path else f"{where}: {message}"
        )


def parse_value(text: str, where: str) -> Any:
    """A one-line value (`--set PATH=VALUE`) read as YAML, with the limits of a file: a number,
    true/false, a text or a [list]; InputError naming `where` otherwise."""
    if len(text) > MAX_FILE_BYTES:
        raise InputError(f"{where}: the value is longer than {MAX_FILE_BYTES:,} characters")
    check_characters(text, where, lines=False)
    loader = _BoundedLoader(text, where)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or " ".join(str(error).split())
        raise InputError(
            f"{where}: the value {shown(text)!r} is not valid YAML ({problem}); put texts in quotes"
        ) from None
    finally:
        loader.dispose()
    return None if node is None else YamlBuilder(where).build(node, ())
