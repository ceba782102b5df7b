"""A real Celery worker against the real Redis and PostgreSQL (CI runs these; see .ci/run).

The worker is a separate process, so it must see committed data: these tests use
transactional databases, and reload the plans and roles that a flush removes.
"""
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection


def _fail_or_skip(reason):
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def services_ready(require_services):
    if connection.vendor != "postgresql":
        _fail_or_skip("integration tests need PostgreSQL (DATABASE_URL), so a worker can share the database")
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as error:  # noqa: BLE001
        _fail_or_skip(f"broker unreachable: {error}")
    return app


@pytest.fixture
def seeded(services_ready, seeded):
    """The shared seeded database, once the real broker and PostgreSQL are known to be there."""
    return seeded


def _worker_env():
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


class Worker:
    def __init__(self, app, process):
        self.app, self.process = app, process

    def child_pids(self):
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]


@pytest.fixture
def celery_worker_process(services_ready, seeded, tmp_path):
    """`celery worker` with a prefork pool of one child, as production runs it (acks late)."""
    app = services_ready
    app.control.purge()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - the worker writes to it until teardown closes it
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-c", "1", "-P", "prefork",
         "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}@%h"],
        env=_worker_env(), cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not app.control.ping(timeout=1):
        if process.poll() is not None:
            pytest.fail(f"worker exited: {(tmp_path / 'worker.log').read_text()[-2000:]}")
    if not app.control.ping(timeout=2):
        process.kill()
        pytest.fail("worker did not answer a ping within 60 s")
    yield Worker(app, process)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_for(predicate, timeout=60, interval=0.3, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]


def redis_up() -> bool:
    return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True).returncode == 0


def redis_stop():
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    wait_for(lambda: not redis_up(), timeout=15, what="Redis to stop")


def redis_start():
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    subprocess.run(REDIS_START, check=True)
    wait_for(redis_up, timeout=15, what="Redis to start")


@pytest.fixture
def redis_restored():
    """Whatever a test does to Redis, it is running again afterwards."""
    yield
    if not redis_up():
        redis_start()
