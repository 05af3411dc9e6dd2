"""Generated tables of the documentation: the parameter table of docs/MODEL.md and the
intervention reference of docs/SCENARIOS.md, both made from the declarations in the code.

    python tools/doc_tables.py          # rewrite both tables between their markers
    python tools/doc_tables.py --check  # exit 1 if a document is out of date (what the tests check)
"""

from __future__ import annotations

import argparse
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ampsim.core.parameters import iter_parameters
from ampsim.interventions import INTERVENTION_TYPES, InterventionConfig
from ampsim.model import ModelParameters
from ampsim.scenarios.document import number_text
from ampsim.scenarios.messages import bounds_text

DOCS = Path(__file__).resolve().parents[1] / "docs"


def replace_between(document: str, name: str, table: str) -> str:
    """The document with the text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` replaced."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in document or end not in document:
        raise SystemExit(f"markers {begin} ... {end} not found")
    head, _, rest = document.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n{table}\n{end}{tail}"


# --- the parameter table ---------------------------------------------------------------------
def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_table() -> str:
    """Markdown table: every parameter with value, unit, source and description."""
    lines = ["| parameter | value | unit | description | source |", "|---|---|---|---|---|"]
    for path, value, unit, source, description in iter_parameters(ModelParameters()):
        lines.append(f"| `{path}` | {_show(value)} | {unit} | {description} | {source} |")
    return "\n".join(lines)


# --- the intervention reference --------------------------------------------------------------
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
        allowed = f"{allowed} {bounds_text(info)}".strip()
        rows.append(f"| `{name}` | {default} | {allowed} | {info.description or ''} |")
    return rows


def _doc_default(value: Any) -> str:
    """A default value as shown in the reference tables."""
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return "[]" if not value else f"`{list(value)}`"
    return f"`{number_text(value) if isinstance(value, float | int) else value}`"


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


# (document, marker name, table maker)
TABLES: tuple[tuple[Path, str, Callable[[], str]], ...] = (
    (DOCS / "MODEL.md", "parameter-table", parameter_table),
    (DOCS / "SCENARIOS.md", "intervention-reference", intervention_reference),
)


def rendered(path: Path) -> str:
    """A document's text with every generated table of it made anew."""
    text = path.read_text(encoding="utf-8")
    for document, name, make in TABLES:
        if document == path:
            text = replace_between(text, name, make())
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description="regenerate the documentation's tables")
    parser.add_argument("--check", action="store_true", help="exit 1 when a document is out of date")
    args = parser.parse_args()
    stale = []
    for path in dict.fromkeys(document for document, _, _ in TABLES):
        text = rendered(path)
        if text != path.read_text(encoding="utf-8"):
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path.name}: {'out of date' if args.check else 'rewritten'}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
