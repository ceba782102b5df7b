"""gunicorn, as the web container runs it (`gunicorn -c config/gunicorn.py config.wsgi`).

Every number is a choice; each can be changed from the environment without a new image.
"""
import gc
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _cpus() -> int:
    # The CPUs this process may use (a container's limit), not the host's count.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Sync workers: pages and API answers are short, CPU-bound (pandas, Plotly) and read stored
# snapshots; long work (recomputes, large reports) runs on Celery. 2 x CPUs + 1 keeps every CPU
# busy while a worker waits on the database; capped because each worker holds pandas and Plotly
# (about 150 MB).
workers = _int("GUNICORN_WORKERS", min(2 * _cpus() + 1, 9))

# A request still running after this many seconds is a bug or an attack (a synchronous report is
# a few seconds, an upload of the largest sheet allowed well under this): the worker is killed and
# replaced rather than holding its slot, as a 20-minute PDF once did.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On a deploy or a restart, requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a load balancer that reuses connections; shorter than its idle timeout.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle each worker after about this many requests, at staggered times (jitter), so memory a
# long-lived Python process accumulates (pandas, fragmentation) is returned without all workers
# restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load Django once before forking: workers start fast when recycled and share memory.
preload_app = True


def when_ready(server):
    """In the master, after the app is loaded and before the first fork: import the views and
    compile the templates (config.warmup), then move everything loaded so far out of the garbage
    collector's sight (gc.freeze): workers neither rescan those objects in every full collection
    nor copy the pages holding them by touching their reference counts."""
    if server.cfg.preload_app:
        from config.warmup import warm_up

        server.log.info("warmed up: %d templates compiled", warm_up())
        gc.freeze()
# Heartbeat files in memory: on a container's overlay filesystem a slow disk can make the arbiter
# think a healthy worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Requests are bounded before Django sees them (gunicorn's defaults, stated here on purpose).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# One access line per request on stdout: client, request line, status, bytes, time taken (µs),
# user agent. Django's own JSON logs (LOG_FORMAT) say who did what.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
