"""The installed version of ampsim, recorded in every result."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ampsim")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
