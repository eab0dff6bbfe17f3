"""세션랩 (sessionlab): helpers the course notebooks import.

Each lab's plumbing lives here once, tested, so a notebook cell shows only the idea.
"""

from sessionlab.infra.proxied import link
from sessionlab.infra.servers import LabServer, LabServerError, serve
from sessionlab.infra.servers import stop_all as stop_servers

__version__ = "0.1.0"
__all__ = ["LabServer", "LabServerError", "link", "serve", "stop_servers", "stop_everything"]


def stop_everything() -> dict:
    """Stop every lab server and every Redis this kernel started (for a notebook's last cell).

    The kernel's shared headless Chromium, if a lab started one, is closed too.
    """
    from sessionlab.infra import redis_servers as lab_redis
    from sessionlab.infra.cdp import close_shared
    from sessionlab.infra.servers import stop_all

    close_shared()
    return {"servers": stop_all(), "redis": lab_redis.stop_all()}
