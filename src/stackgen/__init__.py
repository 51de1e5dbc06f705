"""stackgen: one declarative spec rendered into a complete, checked monitoring stack."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stackgen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
