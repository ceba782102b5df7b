from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trackers.services.plans import FixtureError, plans_load


class Command(BaseCommand):
    help = ("Load regions and the curated plan fixtures (fixtures/plans/*.yaml): create what is missing, update "
            "what nobody has edited since it was loaded, report the rest. Never deletes what people added. "
            "Safe on every deploy.")

    def handle(self, *args, **options):
        try:
            report = plans_load(settings.BASE_DIR / "fixtures", settings.SEEDS_DIR)
        except FixtureError as error:
            raise CommandError(str(error)) from error
        verbosity = options["verbosity"]
        if verbosity == 0:
            return
        for code, counts in report.plans.items():
            self.stdout.write(f"{code}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        self.stdout.write(
            f"created {len(report.created)}, updated {len(report.updated)}, retired {len(report.retired)}, "
            f"deleted {len(report.deleted)}, people's edits kept {len(report.kept)}, "
            f"fixture changes not applied {len(report.conflicts)}"
        )
        for title, lines in (("updated", report.updated), ("retired", report.retired), ("deleted", report.deleted)):
            for line in lines:
                self.stdout.write(f"{title}: {line}")
        if verbosity > 1:
            for line in report.kept:
                self.stdout.write(f"kept: {line}")
        for line in report.conflicts:
            self.stdout.write(self.style.WARNING(f"not applied: {line}"))
