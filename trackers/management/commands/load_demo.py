import datetime as dt
import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kpis.models import RecomputeRequest
from kpis.services import snapshots_recompute
from trackers.models import Target
from trackers.services.demo import DEMO_PASSWORD, demo_load, demo_logins
from trackers.services.published import PublishedFiguresRefused


class Command(BaseCommand):
    help = (
        "Load the published figures and approve the counting ones as the demo reviewer, create demo users and "
        "invented yearly figures (labelled demo) where no published figure exists, then progress snapshots "
        "for mid-year dates and today, printing a line per step. Refused unless DEMO_MODE is on."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("DEMO_MODE is off: demo users and figures are never loaded into a real service.")
        started = time.monotonic()
        # One line per step: not one per in-process Celery task (the closed recomputations below).
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)

        def say(text: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:5.1f} s] {text}")
            self.stdout.flush()

        with transaction.atomic():
            last_request = RecomputeRequest.objects.aggregate(last=Max("pk"))["last"] or 0
            try:
                counts = demo_load(progress=say)
            except PublishedFiguresRefused as refused:
                raise CommandError(str(refused)) from refused
            # Each demo approval owes a recomputation of today (the outbox); the snapshots below
            # cover every target on every date at once, so those requests are closed, not run one
            # by one (that was most of load_demo's two minutes).
            closed = RecomputeRequest.objects.filter(pk__gt=last_request, completed_at__isnull=True).update(
                completed_at=timezone.now())
        say(f"recomputations owed by the demo approvals: {closed}, done below for every target at once")
        today = timezone.localdate()
        dates = [dt.date(year, 6, 30) for year in range(2017, today.year + 1) if dt.date(year, 6, 30) < today]
        targets = Target.objects.all()
        for as_of in [*dates, today]:
            written = snapshots_recompute(targets, as_of, scope="demo")
            say(f"progress snapshots as of {as_of}: {written} targets")
        say(f"done: demo users {counts['users']}, published figures approved {counts['published']}, "
            f"demo figures {counts['figures']}, snapshots for {len(dates) + 1} dates")
        for username, role in demo_logins():
            self.stdout.write(f"  login {username} ({role}), password {DEMO_PASSWORD}")
