"""The full recompute at national scale, beside its floor: COPY read + COPY/upsert write of the same data.

- recompute: kpis.services.snapshots_recompute of every bench target in one process (what
  recompute_plan and recompute_target run): frames from the database, the engine and the Open SDG
  method, snapshots upserted;
- floor read: COPY ... TO STDOUT of the rows the recompute reads (every approved version with its
  figure's indicator, region and year; every target with its indicator, plan and baseline
  columns) into memory, unparsed;
- floor write: COPY of the recompute's own snapshot rows, made beforehand, into a staging table and
  one INSERT ... ON CONFLICT DO UPDATE (config.bulk.rows_upsert, as the recompute writes them);
- fan-out: kpis.tasks.recompute_all on 1 and on 2 Celery worker processes (solo pool) against a
  broker given on the command line, timed from dispatch to the run's line in the log.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 6, 30)
ROOT = Path(__file__).resolve().parent.parent

FIGURES_SQL = """
    SELECT v.id, v.actual_id, a.indicator_id, a.region_id, a.year, v.value_in_indicator_unit::double precision
    FROM trackers_actualversion v JOIN trackers_actual a ON a.id = v.actual_id
    WHERE v.status = 'approved'
"""
TARGETS_SQL = """
    SELECT t.id, t.comparator, t.value, t.value_high, t.unit, t.tolerance_pct, t.year, p.start_year, t.basis,
           i.direction, i.kind, i.unit, t.aspirational, b.value, b.unit, b.year, b.qualifier, t.indicator_id, t.region_id
    FROM trackers_target t JOIN trackers_plan p ON p.id = t.plan_id JOIN trackers_indicator i ON i.id = t.indicator_id
    LEFT JOIN trackers_baseline b ON b.id = t.baseline_id
"""


def bench_targets():
    from trackers.models import Target

    return Target.objects.filter(plan__code="bench-plan")


def snapshots_vacuum() -> None:
    """Between timed runs, as autovacuum does between nightly ones: each run's upsert leaves
    150,000 dead rows and their index entries behind. Not timed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE kpis_progresssnapshot")


def measure_recompute() -> float:
    from kpis.services import snapshots_recompute

    snapshots_vacuum()
    started = time.perf_counter()
    snapshots_recompute(bench_targets(), AS_OF, scope="benchmark")
    return time.perf_counter() - started


def measure_floor_read() -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as config.bulk.frame_read reads
        for sql in (FIGURES_SQL, TARGETS_SQL):
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
    return time.perf_counter() - started


def floor_write_rows():
    """The snapshot rows the recompute writes, made before the clock starts."""
    from kpis.selectors import progress_frame
    from kpis.services import snapshot_columns

    columns = snapshot_columns(progress_frame(bench_targets(), AS_OF), AS_OF)
    return list(columns), list(zip(*columns.values()))


def measure_floor_write(fields, rows) -> float:
    from django.db import transaction

    from config.bulk import rows_upsert
    from kpis.models import ProgressSnapshot
    from kpis.services import DECIMAL_FIELDS, DECIMAL_PLACES, UPDATE_FIELDS

    snapshots_vacuum()
    started = time.perf_counter()
    with transaction.atomic():
        rows_upsert(ProgressSnapshot, fields, rows, unique_fields=["target", "as_of"], update_fields=UPDATE_FIELDS,
                    scaled={field: DECIMAL_PLACES for field in DECIMAL_FIELDS})
    return time.perf_counter() - started


# Fan-out over real workers

DISPATCH = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.utils import timezone
from config.celery import app
from kpis.tasks import recompute_all
deadline = time.time() + 120
while len(app.control.ping(timeout=1.0)) < {workers}:
    if time.time() > deadline:
        sys.exit("the workers did not answer")
print(timezone.now().isoformat(), flush=True)
recompute_all.delay({as_of!r})
"""


def measure_fanout(broker: str, workers: int, timeout: float = 900) -> dict:
    """recompute_all with `workers` worker processes taking its parts: seconds from dispatch to
    the run's line in the log, and the workers' peak resident memory (VmHWM)."""
    from kpis.models import RecomputeRun

    snapshots_vacuum()
    env = {**os.environ, "CELERY_BROKER_URL": broker}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING",
             f"--hostname=bench{n}@%h", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for n in range(workers)
    ]
    try:
        script = DISPATCH.format(root=str(ROOT), workers=workers, as_of=AS_OF.isoformat())
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                             check=True)
        dispatched = dt.datetime.fromisoformat(out.stdout.strip().splitlines()[-1])
        deadline = time.perf_counter() + timeout
        while (run := RecomputeRun.objects.filter(scope="all", as_of=AS_OF, started_at__gte=dispatched).first()) is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("recompute_all did not finish")
            time.sleep(0.2)
        peak = max(_peak_rss_mb(p.pid) for p in processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    return {"seconds": (run.finished_at - dispatched).total_seconds(), "peak_rss_mb": peak}


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
