"""Keep freed memory in the process, so a network step's arrays are not page-faulted anew.

A step of a 32-32-32 network on 500 points allocates and frees some thirty (500, 32) float64
arrays of 128 KB each. glibc's malloc hands blocks of 128 KB and more straight to mmap and gives
them back to the kernel on free, so every step paid ~450 page faults and the kernel's zeroing of
each page: 40% of the step (`bench/network.py`: 800-1,100 steps per CPU second, 1,850 with this).
Its threshold adapts after the first such free, which is why the same code ran at either speed in
different processes. Set once by whoever owns the process (the server, a benchmark): a library
import should not change malloc for its host.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameters (malloc.h)
M_MMAP_THRESHOLD = -3
# Blocks below this come from the heap and are reused after free; larger ones (a landscape's
# grids) still map and unmap.
MMAP_THRESHOLD = 4 << 20
# Free memory at the top of the heap kept for the next allocation instead of returned at once.
TRIM_THRESHOLD = 64 << 20


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds; False where there is no glibc (nothing changes)."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # musl has no mallopt
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
