"""Serving the app: Solara's Starlette application under uvicorn, in this process.

Solara reads its settings from the environment when its server modules are first imported, so
`serve` sets them (without overriding what the user set) before importing them. Solara's browser
files come from the `solara-assets` package, so the page works without internet access.
"""

from __future__ import annotations

import os
import socket
import threading
import warnings
import webbrowser

from ampsim.core.errors import InputError

APP = "ampsim.app.ui:Page"
SOLARA_ENVIRONMENT = {
    "SOLARA_MODE": "production",  # no auto-reload, minified scripts
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_KERNEL_CULL_TIMEOUT": "10m",  # a closed tab's model is released after 10 minutes
    "SOLARA_THEME_SHOW_BANNER": "false",
}


def configure_solara() -> None:
    """Point Solara at the app and set its server settings (before its server modules load)."""
    for key, value in SOLARA_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    os.environ["SOLARA_APP"] = APP
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


def warm_up() -> None:
    """Build and drop one small model, so that the first visitor does not wait for the compiler."""
    from ampsim.app.controller import COMPUTE_LOCK, DEFAULT_SEED
    from ampsim.model import AMPModel

    with COMPUTE_LOCK:
        model = AMPModel(scale=0.01, seed=DEFAULT_SEED, months=2, calibration_months=2)
        model.step()
        model.close()


def check_address(host: str, port: int) -> None:
    """InputError unless the app can listen on host:port (a port in use, an unknown host...)."""
    if not 0 < int(port) < 65536:
        raise InputError(f"port: expected a number from 1 to 65535, got {port!r}")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, int(port)))
    except (OSError, OverflowError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InputError(f"cannot listen on {host}:{port}: {reason}") from None


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False) -> None:
    """Serve the app at http://HOST:PORT until interrupted (Ctrl+C); InputError when the address
    cannot be used."""
    check_address(host, port)
    configure_solara()
    import uvicorn
    from solara.server import app as solara_app
    from solara.server.starlette import app

    if "__default__" not in solara_app.apps:  # the server modules were imported before the settings
        solara_app.apps["__default__"] = solara_app.AppScript(APP)
    threading.Thread(target=warm_up, name="ampsim-warm-up", daemon=True).start()
    if open_browser:
        threading.Timer(1.5, webbrowser.open, args=(f"http://{host}:{port}",)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=3)
