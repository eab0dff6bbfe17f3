"""Lab 05's strategy registry: each way to keep sessions across servers, described once.

A ``Strategy`` says everything the lab, the widget and the comparison table need
about one strategy: its label, the balancer policy it runs with, how each app
server gets its store (``make_store``) and its app (``make_app``), and what the
table says about consistency and about losing a store node. ``STRATEGIES`` maps
the keys, in the notebook's order, to them; iterating it gives the keys.

Every store starter is ``make_store(lab, i, **opts)`` for app server ``i`` of a
``MultiServerLab``; the shared back ends are ``lab.backends``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sessionlab.apps.login import create_login_app
from sessionlab.labs.lab05.backends import quick_client
from sessionlab.web.stores import (
    HybridStore,
    MemoryStore,
    RedisClusterStore,
    RedisStore,
    ReplicatedStore,
    SQLiteStore,
    connect,
)

__all__ = ["Strategy", "STRATEGIES", "DEFAULT_POLICY", "get_strategy", "USER", "PASSWORD", "LAB_KDF_N"]

USER, PASSWORD = "alice", "wonderland-2026"
LAB_KDF_N = 2**10  # the login hash is not this lab's subject: keep logins quick


def login_app(lab, store):
    """The session login app (every strategy but JWT)."""
    return create_login_app(store=store, kdf_n=LAB_KDF_N)


def token_app(lab, store):
    """The JWT app: no store; every server shares the lab's signing key."""
    from sessionlab.apps.token import create_token_app
    from sessionlab.web.tokens import TokenService

    return create_token_app(TokenService(keys=lab.signing_keys()), users={USER: (PASSWORD, "user")})


@dataclass(frozen=True)
class Strategy:
    """One strategy: where each app server keeps its sessions, and what the lab shows about it."""

    key: str
    label: str  # widget option, run summary, table row
    make_store: Callable  # (lab, i, **opts) -> store of server i, or None
    consistency: str  # the table's 일관성 column
    policy: str = "round_robin"  # the balancer policy ``lab.use`` picks by default
    store_node: str = "-"  # the table's 저장소 노드 죽음 when no store node was killed
    make_app: Callable = login_app  # (lab, store) -> the Flask app of one server
    link: Callable | None = None  # (stores) -> None: join the servers' stores (peers)
    measure_policy: str | None = None  # a policy for timing (memory: sticky, else only 401s)
    survives_app_death: bool = True  # sessions outlive one app server (exercise 05's answer key)
    logout_revokes: bool = True  # logout makes a copied credential useless at once (exercise 05's answer key)


# --- store starters -------------------------------------------------------------------------------


def memory_store(lab, i, **opts):
    return MemoryStore()


def redis_store(lab, i, **opts):
    return RedisStore(quick_client(lab.backends.redis.primary), prefix="lab05:")


def sqlite_store(lab, i, **opts):
    return SQLiteStore(lab.backends.sqlite_path("database"))


def replicated_store(lab, i, **opts):
    return ReplicatedStore(
        name=f"{lab.name}-{lab.names[i]}",
        sync=opts.get("sync", True),
        batch_interval=opts.get("batch_interval", 0.05),
    )


def no_store(lab, i, **opts):
    return None


def cluster_store(lab, i, **opts):
    b = lab.backends
    cluster = b.cluster
    if i == 0:
        b.heal_cluster()  # nodes killed by an earlier run come back as replicas
    return RedisClusterStore(cluster.client(), prefix="lab05:")


def hybrid_store(lab, i, **opts):
    b = lab.backends
    return HybridStore(b.cache, path=b.sqlite_path("hybrid"), prefix="lab05:")


# --- the registry ---------------------------------------------------------------------------------

_ON_APP_SERVER = "앱 서버 = 저장소"
_ONE_COPY = "사본 하나(그 서버에만)"

STRATEGIES: dict[str, Strategy] = {
    s.key: s
    for s in [
        Strategy(
            "memory",
            "1. 서버마다 메모리",
            memory_store,
            _ONE_COPY,
            store_node=_ON_APP_SERVER,
            measure_policy="sticky",
            survives_app_death=False,
        ),
        Strategy(
            "sticky",
            "2. 스티키 세션",
            memory_store,
            _ONE_COPY,
            policy="sticky",
            store_node=_ON_APP_SERVER,
            survives_app_death=False,
        ),
        Strategy("redis", "3. 중앙 Redis", redis_store, "즉시(읽기·쓰기 모두 프라이머리), 레플리카는 비동기"),
        Strategy(
            "database",
            "4. 데이터베이스(SQLite)",
            sqlite_store,
            "즉시(한 DB)",
            store_node="해당 없음(파일 DB)",
        ),
        Strategy(
            "replicated",
            "5. 서버 간 복제(세션 클러스터링)",
            replicated_store,
            "동기 복제: 즉시 / 비동기: 창(window)이 있음",
            store_node=_ON_APP_SERVER,
            link=lambda stores: connect(*stores),
        ),
        Strategy(
            "jwt",
            "6. 클라이언트 JWT",
            no_store,
            "토큰이 곧 상태: 폐기(revoke)가 즉시 안 됨",
            store_node="저장소 없음",
            make_app=token_app,
            logout_revokes=False,
        ),
        Strategy(
            "cluster", "7. Redis Cluster", cluster_store, "즉시(슬롯마다 프라이머리 하나), 레플리카는 비동기"
        ),
        Strategy("hybrid", "8. 하이브리드(Redis+DB)", hybrid_store, "즉시(쓰기 관통: DB 먼저, 그다음 캐시)"),
    ]
}
DEFAULT_POLICY = {key: s.policy for key, s in STRATEGIES.items()}


def get_strategy(key: str) -> Strategy:
    """The registered strategy ``key``; a ``ValueError`` (in Korean) names the known ones."""
    try:
        return STRATEGIES[key]
    except (KeyError, TypeError):
        raise ValueError(f"알 수 없는 전략: {key!r} (가능: {', '.join(STRATEGIES)})") from None
