"""stackgen: one declarative spec rendered into a complete, checked monitoring stack."""

from __future__ import annotations

from functools import cache


@cache
def version() -> str:
    """The installed version. Looked up when asked (importlib.metadata is slow to import, and
    most commands never print it)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("stackgen")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
