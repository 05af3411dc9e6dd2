"""The browser app: pick a scenario, move sliders, press play and watch the metropolis change.

`serve()` starts it (`ampsim app`); `page` is its Solara page component.
"""

from __future__ import annotations

from typing import Any

from ampsim.app.server import serve

__all__ = ["page", "serve"]


def __getattr__(name: str) -> Any:
    """`page` is imported on first use: it loads Solara's widgets, which `serve` configures first."""
    if name == "page":
        from ampsim.app.ui import Page

        return Page
    raise AttributeError(f"module 'ampsim.app' has no attribute {name!r}")
