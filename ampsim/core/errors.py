"""The one exception type for bad user input.

Anything a user can get wrong (a zone that does not exist, a scale out of range, a malformed
file) raises `InputError` with a message that names the input and what was expected. The
command line prints the message and exits with code 2, without a traceback.
"""


class InputError(ValueError):
    """Bad user input; `str(error)` is the message shown to the user."""

    exit_code = 2
