import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kpis.services import snapshots_recompute
from trackers.models import Target
from trackers.services.demo import DEMO_PASSWORD, STAFF, demo_load
from trackers.services.published import PublishedFiguresRefused


class Command(BaseCommand):
    help = (
        "Load the published figures and approve the counting ones as the demo reviewer, create demo users and "
        "invented yearly figures (labelled demo) where no published figure exists, then progress snapshots "
        "for mid-year dates and today. Refused unless DEMO_MODE is on."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("DEMO_MODE is off: demo users and figures are never loaded into a real service.")
        try:
            counts = demo_load()
        except PublishedFiguresRefused as refused:
            raise CommandError(str(refused)) from refused
        today = timezone.localdate()
        dates = [dt.date(year, 6, 30) for year in range(2017, today.year + 1) if dt.date(year, 6, 30) < today]
        for as_of in [*dates, today]:
            snapshots_recompute(Target.objects.all(), as_of, scope="demo")
        self.stdout.write(
            f"demo users {counts['users']}, published figures approved {counts['published']}, "
            f"demo figures {counts['figures']}, snapshots for {len(dates) + 1} dates; "
            f"logins: {', '.join(STAFF)} and demo-gd/-gz/-sz/-cz/-jm, password {DEMO_PASSWORD}"
        )
