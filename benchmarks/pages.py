"""One request alone, per page, on the national-scale data set with the daily work added
(benchmarks/national_scale.py, then benchmarks/workload.py): the best of REPEAT runs of Django's
test client (signed in with force_login, DEBUG off, the page rendered in full) and the number of
queries the request ran (CaptureQueriesContext, one extra run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale .venv-test/bin/python benchmarks/pages.py
    ... --only my-work        # the pages whose name contains "my-work"
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "0"
warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: static files are not timed

REPEAT = 3


def pages() -> list[tuple[str, str, str]]:
    """(name, user, address) of every page timed."""
    from benchmarks.workload import PLAN
    from trackers.models import Target

    target = Target.objects.filter(plan__code=PLAN).order_by("pk").values_list("pk", flat=True)[75_000:75_001]
    target = target[0] if target else Target.objects.filter(plan__code=PLAN).order_by("pk").values_list("pk", flat=True)[0]
    return [
        ("my-work", "bench-submitter", "/my-work/"),
        ("my-work state=all", "bench-submitter", "/my-work/?state=all"),
        ("my-work state=all page 3000", "bench-submitter", "/my-work/?state=all&page=3000"),
        ("my-work state=submitted", "bench-submitter", "/my-work/?state=submitted"),
        ("completeness 2024", "bench-leader", "/dashboards/completeness/?year=2024"),
        ("regions", "bench-leader", "/dashboards/regions/"),
        ("review", "bench-reviewer", "/review/"),
        ("review page 200", "bench-reviewer", "/review/?page=200"),
        ("overview", "bench-leader", "/dashboards/"),
        ("plan page", "bench-leader", f"/dashboards/plans/{PLAN}/"),
        ("target page", "bench-leader", f"/dashboards/targets/{target}/"),
    ]


def measure(client, address: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(address)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (address, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    return {"seconds": min(seconds), "queries": len(queries), "bytes": len(response.content)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--only", help="time only the pages whose name contains this")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    assert not settings.DEBUG
    users = {user.username: user for user in get_user_model().objects.filter(username__startswith="bench-")}
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); one request alone, "
          f"best of {args.repeat}")
    print("| page | address | best | queries | HTML |")
    print("| --- | --- | --- | --- | --- |")
    for name, username, address in pages():
        if args.only and args.only not in name:
            continue
        client = Client()
        client.force_login(users[username])
        measured = measure(client, address, args.repeat)
        print(f"| {name} | `{address}` | {measured['seconds'] * 1000:,.0f} ms | {measured['queries']} | "
              f"{measured['bytes'] / 1024:,.0f} KiB |", flush=True)


if __name__ == "__main__":
    main()
