"""How many test processes `make test` starts: four where the memory allows, else two.

Four workers fill each other's waits (a failover, a browser restart) on two cores, but at their
peak they hold about 1.9 GiB against 1.2 GiB for two (benchmarks/README.md, finding 41). A JupyterHub
server often gets 1-2 GiB through its cgroup, which /proc/meminfo does not show, so both are read.
Prints the number; `make test WORKERS=N` overrides it.
"""

from __future__ import annotations

from pathlib import Path

FOUR_NEED = 3 * 2**30  # about 1.9 GiB at the peak, and room for what else runs
CGROUP_FILES = (  # (limit, usage): cgroup v2, then v1
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def mem_available(meminfo: str) -> int | None:
    """``MemAvailable`` of /proc/meminfo, in bytes."""
    for line in meminfo.splitlines():
        name, _, rest = line.partition(":")
        if name == "MemAvailable":
            return int(rest.split()[0]) * 1024
    return None


def cgroup_room(limit: str, usage: str) -> int | None:
    """What the cgroup still allows (limit − usage), or None without a limit ("max", or v1's huge number)."""
    if limit.strip() == "max" or int(limit) >= 2**60:
        return None
    return max(0, int(limit) - int(usage))


def workers(available: int | None) -> int:
    """4 when at least ``FOUR_NEED`` bytes are free; 2 when less, or when nobody can tell."""
    return 4 if available is not None and available >= FOUR_NEED else 2


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def available_here() -> int | None:
    """The smallest of MemAvailable and the cgroup's room; None where neither can be read (not Linux)."""
    meminfo = _read("/proc/meminfo")
    found = [mem_available(meminfo)] if meminfo else []
    for limit_file, usage_file in CGROUP_FILES:
        limit, usage = _read(limit_file), _read(usage_file)
        if limit is not None and usage is not None:
            found.append(cgroup_room(limit, usage))
            break
    sizes = [size for size in found if size is not None]
    return min(sizes) if sizes else None


if __name__ == "__main__":
    print(workers(available_here()))
