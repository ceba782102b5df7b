"""National-scale benchmark: each figure of issue #12 beside its floor, in one run.

Generates a synthetic data set (REGIONS regions x TARGETS targets x YEARS yearly approved figures;
the defaults give 3,000 x 50 x 10 = 1.5 million figures) into the database named by DATABASE_URL,
then measures, each in a fresh child process so that peak memory is its own (getrusage ru_maxrss,
which includes the interpreter, Django and pandas):

- the engine alone: kpis.core.engine.compute_progress + kpis.core.opensdg.opensdg_status on in-memory frames;
- the full recompute (database -> frames -> engine -> snapshot upserts), beside its floor, COPY
  read + COPY/upsert write of the same data (benchmarks/recompute.py);
- the spreadsheet upload of 1,000 and 10,000 rows, beside its floor, a plain bulk insert of the
  same rows (benchmarks/uploads.py);
- with --broker, recompute_all fanned out over 1 and over 2 Celery workers.

Each timed figure is run --repeat times; the table gives the median and the best. Usage:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python benchmarks/national_scale.py
    ... --skip-generate --broker redis://127.0.0.1:6391/0   # reuse the data; measure the fan-out too
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

AS_OF = dt.date(2026, 6, 30)
FIRST_YEAR = 2016


def setup_django():
    import django

    django.setup()


def generate(regions: int, targets_per_region: int, years: int, seed: int = 7) -> dict:
    """Insert the synthetic data set with bulk inserts; returns row counts. Deterministic."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks.uploads import upload_fixture_delete
    from trackers.models import Actual, ActualVersion, Department, Indicator, Plan, Region, Target

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(seed)
    with transaction.atomic():
        upload_fixture_delete()
        for model in (ActualVersion, Actual, Target, Plan, Department, Indicator):
            model.objects.filter(**_bench_filter(model)).delete()
        Region.objects.filter(code__startswith="bench-").exclude(code="bench-country").delete()
        Region.objects.filter(code="bench-country").delete()
        submitter, _ = get_user_model().objects.get_or_create(username="bench-submitter")
        reviewer, _ = get_user_model().objects.get_or_create(username="bench-reviewer")
        country = Region.objects.create(code="bench-country", name="基准测试全国", level="province")
        region_rows = Region.objects.bulk_create(
            [Region(code=f"bench-{i}", name=f"基准地区{i}", level="city", parent=country) for i in range(regions)],
            batch_size=5000,
        )
        if connection.vendor == "sqlite":  # SQLite's bulk_create does not return keys
            region_rows = list(Region.objects.filter(code__startswith="bench-").exclude(pk=country.pk).order_by("pk"))
        kinds = ["flow", "stock", "count", "share", "rate"]
        indicators = Indicator.objects.bulk_create([
            Indicator(code=f"bench_{k}", name=f"基准指标{k}", unit="%" if kinds[k % 5] in ("share", "rate") else "亿元",
                      kind=kinds[k % 5], direction="lower" if k % 10 == 9 else "higher")
            for k in range(targets_per_region)
        ])
        indicators = list(Indicator.objects.filter(code__startswith="bench_").order_by("pk"))
        department = Department.objects.create(code="bench-dept", name="基准部门", region=country)
        plan = Plan.objects.create(code="bench-plan", title="基准规划", short_title="基准", region=country,
                                   issuing_body="基准", start_year=FIRST_YEAR, end_year=FIRST_YEAR + years - 1,
                                   published_at=timezone.now())  # only published plans are on pages and the API
        target_rows = []
        for region in region_rows:
            for k, indicator in enumerate(indicators):
                value = Decimal(int(rng.integers(50, 100))) if indicator.unit == "%" else Decimal(int(rng.integers(100, 5000)))
                target_rows.append(Target(
                    plan=plan, key=f"r{region.pk}-i{k}", indicator=indicator, region=region, clause="基准",
                    value_text=str(value),
                    comparator=["gte", "gt", "approx", "lte"][k % 4] if indicator.direction == "higher" or k % 4 == 3 else "lte",
                    value=value, unit=indicator.unit, year=FIRST_YEAR + years - 1,
                    basis="annual" if k % 17 == 16 else ("cumulative" if k % 13 == 12 else "level"),
                ))
        Target.objects.bulk_create(target_rows, batch_size=10000)
        now = timezone.make_aware(dt.datetime(2026, 3, 1))
        actual_rows = [
            Actual(indicator=indicator, region=region, year=FIRST_YEAR + y)
            for region in region_rows for indicator in indicators for y in range(years)
        ]
        Actual.objects.bulk_create(actual_rows, batch_size=20000)
        actual_ids = Actual.objects.filter(region__code__startswith="bench-").order_by("pk").values_list(
            "pk", "indicator__unit"
        )
        values = rng.uniform(10, 4000, size=len(actual_ids))
        version_rows = []
        for (actual_id, unit), value in zip(actual_ids.iterator(chunk_size=50000), values):
            amount = Decimal(f"{value % 100 if unit == '%' else value:.2f}")
            version_rows.append(ActualVersion(
                actual_id=actual_id, number=1, value=amount, unit=unit, value_in_indicator_unit=amount, source="基准",
                status="approved", department=department, created_by=submitter, submitted_by=submitter,
                submitted_at=now, reviewed_by=reviewer, reviewed_at=now, approved_at=now,
            ))
            if len(version_rows) >= 50000:
                ActualVersion.objects.bulk_create(version_rows, batch_size=50000)
                version_rows = []
        ActualVersion.objects.bulk_create(version_rows, batch_size=50000)
    return {"regions": regions, "targets": len(target_rows), "figures": len(actual_rows)}


def _bench_filter(model):
    from trackers.models import Actual, ActualVersion, Department, Indicator, Plan, Target

    return {
        ActualVersion: {"actual__region__code__startswith": "bench-"},
        Actual: {"region__code__startswith": "bench-"},
        Target: {"plan__code": "bench-plan"},
        Plan: {"code": "bench-plan"},
        Department: {"code": "bench-dept"},
        Indicator: {"code__startswith": "bench_"},
    }[model]


def measure_engine(queue):
    setup_django()
    from kpis.core import engine, opensdg
    from kpis.selectors import actuals_frame, counted_figures_frame, targets_frame
    from trackers.models import Target

    targets = Target.objects.filter(plan__code="bench-plan")
    plan = targets_frame(targets, 10.0)
    series = actuals_frame(plan, counted_figures_frame(targets, AS_OF))
    inputs, figures = plan[list(engine.TARGET_COLUMNS)], series[list(engine.ACTUAL_COLUMNS)]
    base_rss = _rss_mb()
    started = time.perf_counter()
    result = engine.compute_progress(inputs, figures, AS_OF)
    engine_seconds = time.perf_counter() - started
    started = time.perf_counter()
    opensdg.opensdg_status(inputs, figures, AS_OF)
    queue.put({"seconds": engine_seconds, "opensdg_seconds": time.perf_counter() - started,
               "peak_rss_mb": _rss_mb(), "rss_before_mb": base_rss, "targets": len(result), "figures": len(figures)})


def _repeated(queue, measure, repeat: int, *args):
    setup_django()
    seconds = [measure(*args) for _ in range(repeat)]
    queue.put({"seconds": seconds, "peak_rss_mb": _rss_mb()})


def child_recompute(queue, repeat):
    from benchmarks.recompute import measure_recompute

    _repeated(queue, measure_recompute, repeat)


def child_floor_read(queue, repeat):
    from benchmarks.recompute import measure_floor_read

    _repeated(queue, measure_floor_read, repeat)


def child_floor_write(queue, repeat):
    setup_django()
    from benchmarks.recompute import floor_write_rows, measure_floor_write

    fields, rows = floor_write_rows()
    queue.put({"seconds": [measure_floor_write(fields, rows) for _ in range(repeat)], "peak_rss_mb": None})


def child_upload(queue, repeat, count):
    setup_django()
    from benchmarks.uploads import measure_upload, upload_rows

    rows = upload_rows(count)
    queue.put({"seconds": [measure_upload(rows) for _ in range(repeat)], "peak_rss_mb": _rss_mb()})


def child_upload_floor(queue, repeat, count):
    setup_django()
    from benchmarks.uploads import measure_floor, upload_rows

    rows = upload_rows(count)
    queue.put({"seconds": [measure_floor(rows) for _ in range(repeat)], "peak_rss_mb": None})


def child_reading(queue, count, limit):
    setup_django()
    from benchmarks.uploads import measure_reading, measure_row_limit, upload_rows

    queue.put({"reading": measure_reading(upload_rows(count)), "limit": measure_row_limit(100_000, limit)})


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def in_child(function, *args) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=function, args=(queue, *args))
    process.start()
    result = queue.get()
    process.join()
    return result


def _median(values):
    return statistics.median(values)


def _cell(measured: dict) -> str:
    return f"{_median(measured['seconds']):.2f} s ({min(measured['seconds']):.2f})"


def _rss(measured: dict) -> str:
    return f"{measured['peak_rss_mb']:,.0f} MB" if measured.get("peak_rss_mb") else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=3000)
    parser.add_argument("--targets-per-region", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timed figure (median and best shown)")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data set already generated")
    parser.add_argument("--broker", help="a Celery broker URL of your own, to time recompute_all on 1 and 2 workers")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.uploads import upload_fixture

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); cores: {os.cpu_count()}; "
          f"{platform.platform()}; {dt.datetime.now():%Y-%m-%d %H:%M}")
    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        started = time.perf_counter()
        counts = generate(args.regions, args.targets_per_region, args.years)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s (not part of the aims)")
    print(f"upload fixture: {upload_fixture()}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    connection.close()  # children open their own connections
    repeat = args.repeat

    engine = in_child(measure_engine)
    in_child(child_recompute, 1)  # the first run inserts; the measured ones update, as a nightly rerun does
    read, write = in_child(child_floor_read, repeat), in_child(child_floor_write, repeat)
    recompute = in_child(child_recompute, repeat)
    uploads = {count: (in_child(child_upload, repeat, count), in_child(child_upload_floor, repeat, count))
               for count in (1_000, 10_000)}
    reading = in_child(child_reading, 10_000, settings.UPLOAD_MAX_ROWS)
    fanout = {}
    if args.broker:
        from benchmarks.recompute import measure_fanout

        setup_django()
        for workers in (1, 2):
            runs = [measure_fanout(args.broker, workers) for _ in range(max(1, repeat // 2))]
            fanout[workers] = {"seconds": [r["seconds"] for r in runs], "peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}

    print(f"\nEach figure: median of {repeat} runs (best in brackets).\n")
    print("| what | measured | floor | measured / floor (medians) | goal | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- |")
    for count, (measured, bulk) in uploads.items():
        ratio = _median(measured["seconds"]) / _median(bulk["seconds"])
        print(f"| upload of {count:,} rows (check + store) | {_cell(measured)} | bulk insert {_cell(bulk)} | "
              f"{ratio:.1f}× | ≤ 3× | {_rss(measured)} |")
    ratio = _median(recompute["seconds"]) / (_median(read["seconds"]) + _median(write["seconds"]))
    print(f"| full recompute, {engine['targets']:,} targets, {engine['figures']:,} figures | {_cell(recompute)} | "
          f"COPY read {_cell(read)} + COPY/upsert write {_cell(write)} | {ratio:.1f}× | ≤ 3× | {_rss(recompute)} |")
    for workers, measured in fanout.items():
        print(f"| recompute_all fanned out, {workers} worker{'s' if workers > 1 else ''} "
              f"({settings.RECOMPUTE_PART_TARGETS:,} targets a part) | {_cell(measured)} | | | "
              f"less time with more workers | {_rss(measured)} per worker |")
    print(f"| engine alone: compute_progress + Open SDG | {engine['seconds']:.2f} s + {engine['opensdg_seconds']:.2f} s "
          f"| | | | {engine['peak_rss_mb']:,.0f} MB |")
    for kind, measured in reading["reading"].items():
        print(f"| reading 10,000 rows of {kind.upper()} ({measured['bytes'] / 1024:,.0f} KiB) | "
              f"{measured['seconds']:.2f} s | | | | |")
    limit = reading["limit"]
    print(f"| a 100,000-row XLSX ({limit['bytes'] / 1024 / 1024:.1f} MiB) refused at the row limit "
          f"({settings.UPLOAD_MAX_ROWS:,}) | {limit['seconds']:.2f} s | | | | |")


if __name__ == "__main__":
    main()
