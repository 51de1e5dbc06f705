"""Python's cyclic garbage collector: one policy for a stackgen command, set where it starts."""

from __future__ import annotations

import atexit
import gc


def collector_off() -> None:
    """No cyclic collection for the rest of the command; set once, as the command starts, and
    inherited by the render workers it forks. A command makes millions of objects that form no
    cycles worth collecting (the parsed spec, the plan, Jinja's and the YAML parser's
    short-lived containers): at the default thresholds the collector walks them, and every
    object the process holds, again and again, and frees nearly nothing (bench/README.md).
    At exit what is left is frozen: the interpreter's final collection, which runs even with
    the collector off, would walk all of it only to free it with the process."""
    if gc.isenabled():
        gc.disable()
        atexit.register(gc.freeze)
