"""tools/workers.py: four test processes only where the memory (or the cgroup's limit) allows."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
import workers  # noqa: E402

sys.path.pop(0)
GIB = 2**30


def test_meminfo_gives_memavailable_in_bytes_not_memfree():
    meminfo = "MemTotal:  8000000 kB\nMemFree:  100000 kB\nMemAvailable:  5000000 kB\n"
    assert workers.mem_available(meminfo) == 5000000 * 1024
    assert workers.mem_available("MemTotal:  8000000 kB\n") is None


def test_a_cgroup_limit_counts_only_when_there_is_one():
    assert workers.cgroup_room("max\n", "123\n") is None  # v2 without a limit
    assert workers.cgroup_room(str(2**63 - 4096), "123") is None  # v1 without a limit
    assert workers.cgroup_room(str(2 * GIB), str(GIB // 2)) == GIB + GIB // 2
    assert workers.cgroup_room(str(GIB), str(2 * GIB)) == 0  # over its limit already


def test_four_only_with_room_for_them():
    assert workers.workers(8 * GIB) == 4
    assert workers.workers(workers.FOUR_NEED) == 4
    assert workers.workers(2 * GIB) == 2  # a JupyterHub server's usual limit
    assert workers.workers(None) == 2  # nothing to go by: the old, smaller number


def test_a_hub_limit_wins_over_the_machine_s_free_memory(monkeypatch):
    files = {
        "/proc/meminfo": "MemAvailable:  64000000 kB\n",  # the host's, as a container sees it
        "/sys/fs/cgroup/memory.max": str(2 * GIB),
        "/sys/fs/cgroup/memory.current": str(GIB // 4),
    }
    monkeypatch.setattr(workers, "_read", files.get)
    assert workers.available_here() == 2 * GIB - GIB // 4
    assert workers.workers(workers.available_here()) == 2
    del files["/sys/fs/cgroup/memory.max"]  # no limit: the machine's memory decides
    assert workers.workers(workers.available_here()) == 4
