"""The `ampsim` command: one entry point, one subcommand per task (parse, call, print).

Bad input (an unknown zone, a scale out of range, ...) prints one line saying what was expected
and exits with code 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ampsim.cli.options import add_command, positive_argument
from ampsim.cli.runs import add_run_commands
from ampsim.cli.scenarios import add_scenario_commands
from ampsim.cli.studies import add_study_commands
from ampsim.cli.world import add_world_commands
from ampsim.core.errors import InputError
from ampsim.core.version import __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except InputError as error:
        print(f"ampsim {args.command}: error: {error}", file=sys.stderr)
        return InputError.exit_code
    except KeyboardInterrupt:
        print("ampsim: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ampsim",
        description="Agent-based simulation of the Aix-Marseille-Provence metropolis.",
    )
    parser.add_argument("--version", action="version", version=f"ampsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_world_commands(commands)
    add_run_commands(commands)
    add_study_commands(commands)
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
