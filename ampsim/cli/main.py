"""The `ampsim` command: one entry point, one subcommand per task (parse, call, print).

Bad input (an unknown zone, a scale out of range, ...) prints one line saying what was expected
and exits with code 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import typing
import warnings
from collections.abc import Iterator, Sequence
from types import FrameType

from ampsim.cli.calibration import add_calibration_commands
from ampsim.cli.evaluation import add_evaluation_commands
from ampsim.cli.options import add_command, positive_argument
from ampsim.cli.runs import add_run_commands
from ampsim.cli.scenarios import add_scenario_commands
from ampsim.cli.studies import add_study_commands
from ampsim.cli.world import add_world_commands
from ampsim.core.errors import DamagedFileWarning, InputError, Terminated
from ampsim.core.version import __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (2 for bad input, 130 after Ctrl+C or SIGINT,
    143 after SIGTERM: files being written are removed first, as on any failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    prefix = f"ampsim {args.command}"
    with _signals_as_exceptions(), _one_line_warnings(prefix):
        try:
            return args.handler(args)
        except InputError as error:
            print(f"{prefix}: error: {error}", file=sys.stderr)
            return InputError.exit_code
        except KeyboardInterrupt:
            print(f"{prefix}: interrupted", file=sys.stderr)
            return 128 + signal.SIGINT
        except Terminated:
            print(f"{prefix}: terminated", file=sys.stderr)
            return Terminated.exit_code


@contextlib.contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt and SIGTERM raises Terminated, once: a second signal while
    the first unwinds is ignored, so that the cleanup of partial output runs to its end."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if received:
            return
        received.append(signum)
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated()

    previous = {number: signal.signal(number, handler) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


@contextlib.contextmanager
def _one_line_warnings(prefix: str) -> Iterator[None]:
    """Show the program's own warnings (a damaged file skipped or set aside) as one line each."""
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, DamagedFileWarning):
            print(f"{prefix}: warning: {message}", file=sys.stderr)
        else:
            original(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = original


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line (and the way to the help), exit code 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ampsim",
        description="Agent-based simulation of the Aix-Marseille-Provence metropolis.",
    )
    parser.add_argument("--version", action="version", version=f"ampsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_world_commands(commands)
    add_run_commands(commands)
    add_study_commands(commands)
    add_calibration_commands(commands)
    add_evaluation_commands(commands)
    add_scenario_commands(commands)
    app = add_command(
        commands, "app", cmd_app, "start the browser app: live map, charts, scenarios and sliders"
    )
    app.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for other machines)",
    )
    app.add_argument("--port", type=positive_argument, default=8765, help="port (default 8765)")
    return parser


def cmd_app(args: argparse.Namespace) -> int:
    from ampsim.app import serve

    print(f"open http://{args.host}:{args.port} in a browser (Ctrl+C to stop)")
    serve(host=args.host, port=args.port)
    return 0


def main_entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    main_entry()
