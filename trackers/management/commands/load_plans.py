from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trackers.services.plans import FixtureError, plans_load


class Command(BaseCommand):
    help = "Load regions and the curated plan fixtures (fixtures/plans/*.yaml). Idempotent."

    def handle(self, *args, **options):
        try:
            report = plans_load(settings.BASE_DIR / "fixtures", settings.SEEDS_DIR)
        except FixtureError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] == 0:
            return
        for code, counts in report.plans.items():
            self.stdout.write(f"{code}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
