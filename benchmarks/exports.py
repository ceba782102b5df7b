"""Gap reports of everything at national scale: the CSV and XLSX of all targets with their full
submission history, each built in a fresh child process, with its time, peak memory and size.
The floor beside them: writing the same number of rows of a plain CSV straight from one query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national .venv-test/bin/python benchmarks/exports.py
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _setup():
    import django

    django.setup()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_report(queue, fmt: str, as_of: str):
    _setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from reporting.exports.report import Scope
    from reporting.exports.services import ReportRequest, gap_report_build
    from trackers import roles

    user, _ = get_user_model().objects.get_or_create(username="bench-auditor")
    user.groups.add(Group.objects.get(name=roles.AUDITOR))
    started = time.perf_counter()
    report = gap_report_build(user=user, request=ReportRequest(Scope("all"), dt.date.fromisoformat(as_of), fmt,
                                                               "zh-hans", "api"))
    queue.put({"seconds": time.perf_counter() - started, "peak_rss_mb": _rss_mb(), "bytes": len(report.content),
               "targets": report.target_count})


def child_floor(queue, as_of: str):
    """The same rows as plain CSV lines from two flat queries: what reading and writing them costs."""
    _setup()
    import csv
    import io

    from kpis.models import ProgressSnapshot
    from trackers.models import ActualVersion

    started = time.perf_counter()
    out, rows = io.StringIO(), 0
    writer = csv.writer(out)
    for query in (ProgressSnapshot.objects.filter(as_of=as_of).values_list(),
                  ActualVersion.history.values_list()):
        for row in query.iterator(chunk_size=20000):
            writer.writerow(row)
            rows += 1
    queue.put({"seconds": time.perf_counter() - started, "peak_rss_mb": _rss_mb(), "rows": rows})


def in_child(function, *args) -> dict:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=function, args=(queue, *args))
    process.start()
    result = queue.get()
    process.join()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--as-of", default="2026-06-30")
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args()
    floor = in_child(child_floor, args.as_of)
    print(f"floor: {floor['rows']:,} rows of snapshots and history as plain CSV: {floor['seconds']:.1f} s, "
          f"peak RSS {floor['peak_rss_mb']:.0f} MB")
    for fmt in args.formats.split(","):
        measured = in_child(child_report, fmt, args.as_of)
        print(f"{fmt}: {measured['targets']:,} targets with their history: {measured['seconds']:.1f} s "
              f"({measured['seconds'] / floor['seconds']:.1f}x the floor), peak RSS {measured['peak_rss_mb']:.0f} MB, "
              f"{measured['bytes'] / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
