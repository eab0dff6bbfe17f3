"""``python -m sessionlab serve APP``: one reference app on 127.0.0.1, outside a notebook.

APP is ``login`` (session login) or ``token`` (JWT login), each with ``--vulnerable`` for
its ⚠️ VULNERABLE twin; ``--store memory|sqlite|redis`` picks where sessions (login) or
the refresh/revocation state (token) live; ``--port`` (default: a free port). When ready
it prints the URL and the demo accounts; it starts its own redis-server when the store
needs one, and on Ctrl-C or SIGTERM stops everything it started (the server, Redis, the
SQLite folder).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
from collections.abc import Callable

from sessionlab.infra import redis_servers
from sessionlab.infra.servers import LabServer, serve
from sessionlab.infra.tmp import lab_dir

__all__ = ["main", "build_app", "parse"]

APPS = ("login", "token")
STORES = ("memory", "sqlite", "redis")


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m sessionlab", description="세션랩 앱을 노트북 밖에서 띄웁니다."
    )
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="참고 앱 하나를 127.0.0.1에서 띄웁니다 (Ctrl-C로 멈춤)")
    s.add_argument("app", choices=APPS, help="login(세션 로그인) 또는 token(JWT 로그인)")
    s.add_argument("--vulnerable", action="store_true", help="⚠️ 취약한(VULNERABLE) 쌍둥이를 띄웁니다")
    s.add_argument("--store", choices=STORES, default="memory", help="세션(또는 토큰 상태)을 둘 곳")
    s.add_argument("--port", type=int, default=0, help="포트 (기본: 빈 포트 자동 선택)")
    return p.parse_args(argv)


def build_app(args: argparse.Namespace, cleanups: list[Callable[[], None]]):
    """(Flask app, demo accounts as text) for ``args``; what it starts goes into ``cleanups``."""
    redis_client = None
    if args.store == "redis":
        server = redis_servers.start_redis(name="cli")
        cleanups.append(server.stop)
        redis_client = server.client()
    if args.app == "login":
        from sessionlab.apps.login import DEFAULT_USERS, TEN_YEARS, create_login_app
        from sessionlab.web.stores import MemoryStore, RedisStore, SessionStore, SQLiteStore

        # the secure app's timeouts (15 min idle, 8 h absolute); ⚠️ the VULNERABLE twin: ten years
        idle, absolute = (TEN_YEARS, TEN_YEARS) if args.vulnerable else (15 * 60, 8 * 3600)
        store: SessionStore
        if args.store == "redis":
            store = RedisStore(redis_client, idle_timeout=idle, absolute_timeout=absolute)
        elif args.store == "sqlite":
            folder = lab_dir("cli")
            cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
            store = SQLiteStore(str(folder / "sessions.db"), idle_timeout=idle, absolute_timeout=absolute)
        else:
            store = MemoryStore(idle_timeout=idle, absolute_timeout=absolute)
        app = create_login_app(store=store, secure=not args.vulnerable, name="login-cli")
        return app, ", ".join(f"{u} / {pw}" for u, pw in DEFAULT_USERS.items())
    from sessionlab.apps.token import DEFAULT_USERS as TOKEN_USERS
    from sessionlab.apps.token import create_token_app
    from sessionlab.web.tokens import TokenService
    from sessionlab.web.tokens_vulnerable import VulnerableVerifier

    # memory and sqlite: the token app keeps no server state (no refresh, no revocation)
    service = TokenService(redis=redis_client)
    verifier = VulnerableVerifier(service.keys) if args.vulnerable else None
    app = create_token_app(service, verifier=verifier, name="token-cli")
    return app, ", ".join(f"{u} / {pw} ({role})" for u, (pw, role) in TOKEN_USERS.items())


def run(args: argparse.Namespace, stop: threading.Event, out=sys.stdout) -> int:
    """Serve until ``stop`` is set; everything started is stopped on the way out."""
    cleanups: list[Callable[[], None]] = []
    server: LabServer | None = None
    try:
        app, accounts = build_app(args, cleanups)
        server = serve(app, name=f"cli-{args.app}", port=args.port)
        variant = "⚠️ 취약한(VULNERABLE) 버전" if args.vulnerable else "안전한 버전"
        print(f"세션랩 {args.app} 앱 ({variant}, 저장소 {args.store}): {server.url}/", file=out)
        print(f"데모 계정: {accounts}", file=out)
        print("멈추려면 Ctrl-C", file=out, flush=True)
        while not stop.wait(0.5):
            if not server.running:
                return 1
        return 0
    finally:
        if server is not None:
            server.stop()
        for cleanup in reversed(cleanups):
            cleanup()


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        return run(args, stop)
    except redis_servers.LabServerError as exc:
        print(f"시작하지 못했습니다: {exc}", file=sys.stderr)
        return 1
