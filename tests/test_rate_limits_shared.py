"""Rate limits are counted once across every worker: gunicorn with two workers and the limits
in Redis (RATELIMIT_STORAGE_URI, Flask-Limiter's own Redis storage), as in production. With
the per-process memory:// store each worker would let the whole limit through: 40 sign-in
attempts a minute where 20 should pass.

`make test` runs this beside a throwaway Redis (tests/redis/throwaway.sh sets
TEST_REDIS_URL); without one it is skipped."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("TEST_REDIS_URL", "")
LIMIT = 5

pytestmark = pytest.mark.skipif(
    not REDIS, reason="needs a Redis server: tests/redis/throwaway.sh (make test starts one)"
)


class UnixConnection(http.client.HTTPConnection):
    """HTTP over gunicorn's unix socket (no TCP port to clash with anything)."""

    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)  # a worker booting on a busy machine takes seconds
        self.sock.connect(self.path)


def get(path: str, url: str) -> int:
    connection = UnixConnection(path)
    try:
        connection.request("GET", url)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def two_workers(app, tmp_path):
    """gunicorn with two workers on the test's database, limits in the throwaway Redis."""
    listen = tmp_path / "gunicorn.sock"
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "NARA_ENV": "development",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
        "RATELIMIT_STORAGE_URI": REDIS,
        "RATELIMIT_ENABLED": "1",
        "SIGN_IN_RATE_LIMIT": f"{LIMIT} per minute",
        "WEB_CONCURRENCY": "2",
    }
    # Counting starts from nothing (an earlier run in the same minute counted too).
    import redis

    redis.Redis(unix_socket_path=REDIS.removeprefix("redis+unix://")).flushdb()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"unix:{listen}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(s)s",
            "--no-control-socket",
            "webapp:create_app()",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not listen.exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "gunicorn did not start"
        time.sleep(0.05)
    assert get(str(listen), "/healthz") == 200  # a worker is up (the limit is not touched)
    yield str(listen), access_log
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)


def test_a_limit_is_counted_once_across_two_workers(two_workers):
    path, access_log = two_workers
    token = "/inbjudan/not-a-real-token"
    answers: list[int] = []
    deadline = time.monotonic() + 120
    # Requests in parallel, so that both workers answer some (a sync worker answers one at a
    # time); more rounds until the log shows both did.
    with ThreadPoolExecutor(max_workers=8) as pool:
        while True:
            answers += pool.map(lambda _: get(path, token), range(8))
            workers = set(re.findall(r"^<(\d+)> ", access_log.read_text(), re.M))
            if len(workers) >= 2 and len(answers) >= 4 * LIMIT:
                break
            assert time.monotonic() < deadline, f"one worker answered everything: {workers}"
    # An unknown invitation is 410 while the limit lasts, then 429: exactly LIMIT got through.
    assert answers.count(410) == LIMIT, answers
    assert answers.count(429) == len(answers) - LIMIT
