"""Server state of the token service, in Redis: the denylist, the family scripts, the token pair.

Split from ``tokens`` (which re-exports everything here). ``ROTATE_SCRIPT`` checks,
rotates, records and revokes in **one** Lua script, so parallel reuses of one refresh
token cannot slip between the steps; ``REVOKE_SCRIPT`` revokes a family atomically and
never creates a family key that has no expiry. ``FAST_FAIL``: redis-py options for a
client that gives up within about a second when Redis is gone.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from redis.backoff import NoBackoff
from redis.retry import Retry

from sessionlab.web.token_format import DEFAULT_LEEWAY

__all__ = ["FAST_FAIL", "RedisDenylist", "REVOKE_SCRIPT", "ROTATE_SCRIPT", "TokenPair"]

# redis-py client options for a token store that must fail fast when Redis is gone.
FAST_FAIL = {
    "socket_timeout": 0.5,
    "socket_connect_timeout": 0.5,
    "retry": Retry(NoBackoff(), 1),
}


class RedisDenylist:
    """Revoked ``jti``s in Redis, each with TTL = remaining lifetime + leeway (then it is moot)."""

    def __init__(self, client, prefix: str = "sl:deny:", leeway: float = DEFAULT_LEEWAY):
        self.client, self.prefix, self.leeway = client, prefix, leeway

    def add(self, jti: str, exp: float, now: float | None = None) -> int:
        """Deny ``jti`` until it could no longer be accepted; returns the TTL set (0: already moot)."""
        now = time.time() if now is None else now
        ttl = math.ceil(exp + self.leeway - now)
        if ttl <= 0:
            return 0
        self.client.set(self.prefix + jti, "1", ex=ttl)
        return ttl

    def contains(self, jti: str) -> bool:
        return bool(jti) and bool(self.client.exists(self.prefix + jti))

    def ttl(self, jti: str) -> int:
        return int(self.client.ttl(self.prefix + jti))

    def __len__(self) -> int:
        return sum(1 for _ in self.client.scan_iter(self.prefix + "*", count=1000))


# One Lua function shared by both scripts: mark the family revoked and deny every jti it issued
# that could still be accepted (TTL = exp + leeway - now), all in the same atomic step.
# KEYS[1] = family hash, KEYS[2] = its jti → exp hash; ARGV[1] = now, ARGV[2] = leeway,
# ARGV[3] = denylist prefix. (The deny keys are not declared in KEYS: a single Redis, not a cluster.)
_REVOKE_ALL_LUA = """
local function revoke_all()
  redis.call('HSET', KEYS[1], 'revoked', '1')
  local now, leeway, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
  local all = redis.call('HGETALL', KEYS[2])
  local n = 0
  for i = 1, #all, 2 do
    local ttl = math.ceil(tonumber(all[i + 1]) + leeway - now)
    if ttl > 0 then
      redis.call('SET', prefix .. all[i], '1', 'EX', ttl)
      n = n + 1
    end
  end
  return n
end
"""

REVOKE_SCRIPT = (
    _REVOKE_ALL_LUA
    + """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return revoke_all()
"""
)

# Rotation and reuse detection in ONE script (atomic): the winner's new jtis are recorded in the
# same step that spends the old refresh token, so a racing reuse revokes them as well.
# ARGV[4] = presented refresh jti, ARGV[5] = new refresh jti, ARGV[6] = its exp,
# ARGV[7] = new access jti, ARGV[8] = its exp.
ROTATE_SCRIPT = (
    _REVOKE_ALL_LUA
    + """
local cur = redis.call('HGET', KEYS[1], 'current')
if not cur then return 'missing' end
if redis.call('HGET', KEYS[1], 'revoked') == '1' then return 'revoked' end
if cur ~= ARGV[4] then
  revoke_all()
  return 'reused'
end
redis.call('HSET', KEYS[1], 'current', ARGV[5])
redis.call('HSET', KEYS[2], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
local ttl = math.ceil(tonumber(ARGV[6]) + tonumber(ARGV[2]) - tonumber(ARGV[1]))
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return 'ok'
"""
)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int

    def as_json(self) -> dict:
        return {
            "access_token": self.access,
            "refresh_token": self.refresh,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
