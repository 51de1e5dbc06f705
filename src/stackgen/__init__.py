"""stackgen: one declarative spec rendered into a complete, checked monitoring stack."""

from __future__ import annotations

from functools import cache


def __getattr__(name: str) -> str:
    """`stackgen.__version__`, read from the package's metadata when first asked for: loading
    importlib.metadata costs a command 40 ms before it starts, and only --version and SARIF
    reports need it."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("stackgen")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"
