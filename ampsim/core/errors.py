"""The exception types for bad user input and for a stop asked by a signal, and the warning of a
damaged file that the program skips or repairs.

Anything a user can get wrong (a zone that does not exist, a scale out of range, a malformed
file) raises `InputError` with a message that names the input and what was expected. The
command line prints the message and exits with code 2, without a traceback. `Terminated` is
raised by the command line's SIGTERM handler, so that cleanup (`finally`) runs as for Ctrl+C.
"""

import signal


class InputError(ValueError):
    """Bad user input; `str(error)` is the message shown to the user."""

    exit_code = 2


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM): unwinds like KeyboardInterrupt does for SIGINT."""

    exit_code = 128 + signal.SIGTERM


class DamagedFileWarning(UserWarning):
    """A file the program wrote earlier cannot be read (a truncated Parquet part, ...); the
    message, one line, says what was done with it."""
