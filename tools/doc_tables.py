"""The parameter table of docs/MODEL.md, generated from the parameter declarations in the code.

`python -m ampsim.doc_tables` rewrites the table between its markers; a test fails when the
document and the code disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import BaseModel

from ampsim.core.parameters import iter_parameters

BEGIN = "<!-- parameter-table:begin -->"
END = "<!-- parameter-table:end -->"
MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"


def parameter_tree() -> BaseModel:
    """The model's full parameter tree with its defaults."""
    from ampsim.model import ModelParameters

    return ModelParameters()


def _show(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def parameter_table() -> str:
    """Markdown table: every parameter with value, unit, source and description."""
    lines = ["| parameter | value | unit | description | source |", "|---|---|---|---|---|"]
    for path, value, unit, source, description in iter_parameters(parameter_tree()):
        lines.append(f"| `{path}` | {_show(value)} | {unit} | {description} | {source} |")
    return "\n".join(lines)


def render(document: str) -> str:
    """The document with its parameter table replaced by the current one."""
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{parameter_table()}\n{END}{tail}"


if __name__ == "__main__":
    text = MODEL_DOC.read_text(encoding="utf-8")
    MODEL_DOC.write_text(render(text), encoding="utf-8")
    sys.exit(0)
