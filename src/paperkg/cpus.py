"""How many CPUs this process may use: the default number of build workers and of the
validator's concurrent queries.
"""

from __future__ import annotations

import os

__all__ = ["usable_cpus"]


def usable_cpus() -> int:
    """The CPUs this process may use (``os.process_cpu_count`` from Python 3.13, else the
    scheduler's affinity mask, else all of them).
    """
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        return int(counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
