"""Evicting the CPU caches between cold spawns (issue 9, BENCHMARKS.md items 32 and 33).

Used by bench/cold_pair.py (`--flush`) and bench/peers/compare.py (`COLD_FLUSH=1`). A
`CacheFlush` owns a buffer twice the size of the largest CPU cache the kernel reports (at
least 64 MiB) and writes one byte in each of its 64-byte lines when called, so that the
caches hold nothing of the previous processes. The size matters: a fixed 64 MiB buffer
evicted the 32 MiB last-level cache of the EPYC hosts of 2026-11-26 but not the 300 MiB one
of the Xeon hosts, where it left a cold process ~0.15 ms faster than a flush of 600 MiB.
"""

from pathlib import Path

MIN_BYTES = 64 << 20


def largest_cache_bytes(sysfs="/sys/devices/system/cpu"):
    """The largest CPU cache the kernel reports, in bytes (0 when it reports none)."""
    largest = 0
    for size in Path(sysfs).glob("cpu*/cache/index*/size"):
        text = size.read_text().strip()
        unit = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        digits = text[:-1] if unit != 1 else text
        if digits.isdigit():
            largest = max(largest, int(digits) * unit)
    return largest


class CacheFlush:
    """Calling it writes every 64-byte line of a buffer larger than any CPU cache."""

    def __init__(self):
        self.buffer = bytearray(max(MIN_BYTES, 2 * largest_cache_bytes()))

    def __call__(self):
        # A new value each time, so that every line is written (not merely read).
        value = (self.buffer[0] + 1) % 256
        self.buffer[::64] = bytes([value]) * (len(self.buffer) // 64)
