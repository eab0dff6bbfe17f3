"""The login app's settings (``LoginConfig``) and what it knows besides sessions (``LoginLab``).

``LoginConfig`` holds every setting of one login app, by name; ``create_login_app``
in ``sessionlab.apps.login`` builds it from its keyword arguments. ``LoginLab`` is
the app's state (``app.lab``): password hashes, failed logins, e-mail addresses
and the transfers that went through. ``MESSAGES`` are the Korean texts of every
error reply; ``error`` makes such a reply.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response

from sessionlab.apps._common import cookie_name, json_response, variant_name
from sessionlab.web.passwords import LAB_N, account_hashes, dummy_hash, verify_password
from sessionlab.web.stores import RedisStore, SessionStore

__all__ = ["LOGIN_COOKIE", "LoginConfig", "LoginLab", "MESSAGES", "error"]

MESSAGES = {
    "bad_credentials": "아이디 또는 비밀번호가 올바르지 않습니다.",
    "missing_fields": "아이디(username)와 비밀번호(password)를 모두 입력하세요.",
    "bad_json": 'JSON 객체 {"username": ..., "password": ...}를 보내세요.',
    "too_long": "아이디 또는 비밀번호가 너무 깁니다.",
    "locked": "로그인 실패가 너무 많습니다. {seconds}초 뒤에 다시 시도하세요.",
    "login_required": "로그인이 필요합니다.",
    "csrf": "CSRF 토큰이 없거나 올바르지 않습니다. 페이지를 새로 고친 뒤 다시 시도하세요.",
    "cross_site": "다른 사이트에서 시작된 요청은 받지 않습니다 (Origin / Sec-Fetch-Site 검사).",
    "login_form_expired": "로그인 폼이 만료되었습니다. 로그인 페이지를 다시 여세요.",
    "reauth_required": "민감한 작업입니다. 비밀번호를 다시 입력하세요 (POST /reauth).",
    "bad_amount": "금액(amount)은 1 이상의 정수여야 합니다.",
    "bad_field": "'{field}' 값을 입력하세요.",
    "cookie_too_large": "쿠키가 너무 큽니다 ({size}바이트, 최대 {limit}바이트).",
    400: "요청 형식이 올바르지 않습니다.",
    404: "없는 주소입니다.",
    405: "이 주소에서 허용되지 않는 메서드입니다.",
    413: "요청 본문이 너무 큽니다.",
    431: "요청 헤더가 너무 큽니다.",
    500: "서버 오류가 발생했습니다.",
}


def error(key, status: int, headers: dict[str, str] | None = None, **fmt) -> Response:
    """The JSON error reply ``{"ok": false, "error": <Korean message>}`` with ``status``."""
    text = MESSAGES[key].format(**fmt) if fmt else MESSAGES[key]
    return json_response({"ok": False, "error": text}, status, headers)


LOGIN_COOKIE = "login_sid"  # its own name: cookies do not isolate by port (see _common.cookie_name)


@dataclass(frozen=True)
class LoginConfig:
    """Every setting of one login app (see ``create_login_app`` for what each one does)."""

    store: SessionStore
    users: dict[str, str]
    secure: bool = True
    cookie_name: str = ""  # "": login_sid (__Host-login_sid with cookie_secure=True)
    cookie_secure: bool | None = None  # None: Secure only when the request came over HTTPS
    session_ids: Callable[[str | None], str] | None = None  # None: the store's own ids
    clock: Callable[[], float] | None = None  # None: the store's clock
    kdf_n: int = LAB_N
    max_failures: int = 5
    lockout_seconds: float = 60
    reauth_seconds: float = 300
    bind_user_agent: bool = False
    max_cookie_bytes: int = 8192
    name: str | None = None
    max_anonymous: int = 10_000  # secure variant: live pre-login sessions kept (oldest evicted)
    throttle_seconds: float = 2  # first delay once a limit is reached; doubles, capped at lockout_seconds
    max_address_failures: int | None = None  # per client address, any accounts (None: 4 × max_failures)
    max_account_failures: int | None = None  # per account, any address (None: 10 × max_failures)

    def __post_init__(self) -> None:
        if not self.cookie_name:  # frozen: set once, here
            object.__setattr__(self, "cookie_name", cookie_name(LOGIN_COOKIE, self.cookie_secure is True))

    def limits(self) -> dict[str, int]:
        """Failures each throttle key allows before delays start (see ``LoginLab.reserve_attempt``)."""
        return {
            "account+address": self.max_failures,
            "address": self.max_address_failures or 4 * self.max_failures,
            "account": self.max_account_failures or 10 * self.max_failures,
        }

    @property
    def variant(self) -> str:
        return variant_name(self.secure)

    @property
    def app_name(self) -> str:
        return self.name or ("login" if self.secure else "login_VULNERABLE")


@dataclass
class _Failures:
    count: int = 0  # failures (and attempts in flight) counted for this key
    next_allowed: float = 0.0  # no attempt before this time
    last: float = 0.0  # time of the last counted attempt


QUIET_RESET_SECONDS = 15 * 60  # a key with no attempt for this long starts again at zero


# One Redis call checks and counts all three throttle keys (a Lua script runs atomically), so
# every app server sharing the store shares the limits. Times come from the app's clock (ARGV),
# so a FakeClock works; the key TTL only cleans up. Replies are strings (Lua numbers would be truncated).
_RESERVE = """
local now, quiet, base, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local wait, state = 0, {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'count', 'next', 'last')
  local c, n, l = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0
  if l > 0 and now - l > quiet then c, n = 0, 0 end
  state[i] = {c, n}
  if n - now > wait then wait = n - now end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local c, n, limit = state[i][1] + 1, state[i][2], tonumber(ARGV[4 + i])
  if c >= limit then n = now + math.min(cap, base * 2 ^ math.min(c - limit, 30)) end
  redis.call('HSET', key, 'count', c, 'next', tostring(n), 'last', tostring(now))
  redis.call('PEXPIRE', key, math.floor((quiet + cap) * 1000))
end
return '0'
"""

_SUCCESS = """
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  local c = tonumber(redis.call('HGET', KEYS[i], 'count') or '0')
  if c > 0 then
    redis.call('HSET', KEYS[i], 'count', c - 1)
    if c - 1 < tonumber(ARGV[i - 1]) then redis.call('HSET', KEYS[i], 'next', '0') end
  end
end
return 1
"""


class _RedisThrottle:
    """The throttle counters of a ``RedisStore``'s app, in that Redis (``sessionlab:throttle:<prefix>…``)."""

    def __init__(self, store: RedisStore):
        self.redis = store.redis
        self.prefix = "sessionlab:throttle:" + store.prefix
        self._reserve = self.redis.register_script(_RESERVE)
        self._success = self.redis.register_script(_SUCCESS)

    def key(self, parts: tuple[str, ...]) -> str:
        return self.prefix + ":".join(p.replace(":", "%3A") for p in parts)

    def reserve(self, keys, now: float, limits: list[int], base: float, cap: float) -> float:
        args = [repr(now), QUIET_RESET_SECONDS, repr(base), repr(cap), *limits]
        return float(self._reserve(keys=[self.key(k) for k in keys], args=args))

    def success(self, keys, limits: list[int]) -> None:
        self._success(keys=[self.key(k) for k in keys], args=limits)


class LoginLab:
    """What one login app knows besides its sessions: users, failures, and the effects of actions."""

    def __init__(self, config: LoginConfig):
        self.config = config
        self.store = config.store
        self.secure = config.secure
        self.variant = config.variant
        self.clock = config.clock or config.store.clock
        self.password_hashes = account_hashes(config.users, n=config.kdf_n)
        self.dummy = dummy_hash(n=config.kdf_n)
        self.emails = {u: f"{u}@example.com" for u in config.users}
        self.transfers: list[dict] = []  # transfers that went through
        self.transfer_attempts: list[dict] = []  # every POST /transfer: status, cookie sent?, Sec-Fetch-Site
        self.unsafe_requests: list[
            dict
        ] = []  # every POST: path, status, cookie sent?, Origin, Sec-Fetch-Site
        self.failures: dict[tuple[str, ...], _Failures] = {}  # throttle key → failures (see reserve_attempt)
        self.lock = threading.Lock()
        self.anonymous: OrderedDict[str, None] = OrderedDict()  # pre-login session ids, oldest first
        # a Redis store: the throttle counts in Redis, shared by every app server (else: self.failures)
        store = config.store
        shared = isinstance(store, RedisStore) and _is_plain_redis(store.redis)
        self.shared_throttle = _RedisThrottle(store) if isinstance(store, RedisStore) and shared else None

    # -- passwords and lockout --------------------------------------------------
    def check_password(self, username: str, password: str) -> bool:
        """Constant work whether or not the user exists: an unknown name is checked against a dummy hash."""
        stored = self.password_hashes.get(username)
        ok = verify_password(password, stored if stored is not None else self.dummy)
        return ok and stored is not None

    def _keys(self, username: str, address: str) -> dict[str, tuple[str, ...]]:
        user = username.lower()
        return {
            "account+address": ("account+address", user, address),
            "address": ("address", address),
            "account": ("account", user),
        }

    def _delay(self, over: int) -> float:
        """Growing delays: ``throttle_seconds`` × 2^(over−1), capped at ``lockout_seconds``."""
        return min(self.config.lockout_seconds, self.config.throttle_seconds * 2 ** min(over - 1, 30))

    def locked_for(self, username: str, address: str = "") -> float:
        """Seconds until ``username`` (from ``address``) may try again (0: now); reserves nothing."""
        if not self.secure:
            return 0.0  # ⚠️ VULNERABLE: unlimited guessing
        now = self.clock()
        with self.lock:
            keys = self._keys(username, address).values()
            return max(max(0.0, self.failures.get(k, _Failures()).next_allowed - now) for k in keys)

    def reserve_attempt(self, username: str, address: str = "") -> float:
        """Throttle check and count in one step (under ``self.lock``): 0 lets one password check run,
        else the seconds to wait (429 ``Retry-After``).

        Three keys are counted (OWASP Authentication Cheat Sheet, "Login Throttling"): the account
        from this client address (``max_failures``), this address over all accounts
        (``limits()["address"]``: password spraying) and the account from any address
        (``limits()["account"]``: guessing from many addresses). Once a key has used its limit,
        each further attempt must wait a growing delay (``_delay``): no hard lock, so an attacker
        elsewhere cannot lock the real user out. The attempt counts *before* the slow check, so
        parallel requests cannot race it: at most ``max_failures`` checks run before the first delay.
        ``record_success`` takes a successful attempt back. The ⚠️ VULNERABLE variant never refuses.
        """
        if not self.secure:
            return 0.0  # ⚠️ VULNERABLE: unlimited guessing
        limits = self.config.limits()
        if self.shared_throttle is not None:  # one atomic Lua call, shared by every server
            keys = self._keys(username, address)
            return self.shared_throttle.reserve(
                [keys[k] for k in limits],
                self.clock(),
                [limits[k] for k in limits],
                self.config.throttle_seconds,
                self.config.lockout_seconds,
            )
        with self.lock:
            now = self.clock()
            seen = {}
            for kind, key in self._keys(username, address).items():
                entry = self.failures.setdefault(key, _Failures())
                if entry.last and now - entry.last > QUIET_RESET_SECONDS:
                    entry.count, entry.next_allowed = 0, 0.0
                seen[kind] = entry
            wait = max(entry.next_allowed - now for entry in seen.values())
            if wait > 0:
                return wait
            for kind, entry in seen.items():
                entry.count += 1
                entry.last = now
                if entry.count >= limits[kind]:
                    entry.next_allowed = now + self._delay(entry.count - limits[kind] + 1)
            return 0.0

    def record_failure(self, username: str) -> None:
        """Kept for callers of the old API: the attempt was already counted by ``reserve_attempt``."""

    def record_success(self, username: str, address: str = "") -> None:
        """The password was right: this account+address starts again; the attempt is taken back elsewhere."""
        if self.shared_throttle is not None:
            limits, keys = self.config.limits(), self._keys(username, address)
            self.shared_throttle.success([keys[k] for k in limits], [limits[k] for k in list(limits)[1:]])
            return
        with self.lock:
            for kind, key in self._keys(username, address).items():
                if kind == "account+address":
                    self.failures.pop(key, None)
                elif key in self.failures:
                    entry = self.failures[key]
                    entry.count = max(0, entry.count - 1)
                    if entry.count < self.config.limits()[kind]:
                        entry.next_allowed = 0.0

    # -- anonymous (pre-login) sessions ------------------------------------------
    def remember_anonymous(self, sid: str) -> list[str]:
        """Track a new pre-login session; returns the oldest ones beyond ``max_anonymous`` (to delete).

        Every cookie-less ``GET /login`` makes one, so without a bound anyone can fill the store.
        """
        with self.lock:
            self.anonymous[sid] = None
            evicted = []
            while len(self.anonymous) > self.config.max_anonymous:
                evicted.append(self.anonymous.popitem(last=False)[0])
        return evicted

    def forget_anonymous(self, sid: str) -> None:
        """The session logged in or ended: no longer counted as anonymous."""
        with self.lock:
            self.anonymous.pop(sid, None)

    def ua_tag(self, user_agent: str) -> str:
        return hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest()[:16]

    def record_transfer(self, record: dict) -> None:
        with self.lock:
            self.transfers.append(record)

    def record_transfer_attempt(self, attempt: dict) -> None:
        with self.lock:
            self.transfer_attempts.append(attempt)

    def record_unsafe_request(self, record: dict) -> None:
        with self.lock:
            self.unsafe_requests.append(record)

    def set_email(self, user: str, email: str) -> None:
        with self.lock:
            self.emails[user] = email


def _is_plain_redis(client) -> bool:
    """A single Redis (not a cluster: the three keys may live on different nodes)."""
    import redis as redis_py

    return isinstance(client, redis_py.Redis)
