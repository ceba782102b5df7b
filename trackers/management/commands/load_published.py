from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trackers.services.published import PublishedFiguresRefused, published_load


class Command(BaseCommand):
    help = ("Load the curated published figures (fixtures/published/*.yaml) after load_plans: all or nothing, "
            "and a second run changes nothing. Figures whose scope matches their target are submitted for "
            "review (a reviewer accepts each); the others are kept with their citation, shown, never counted.")

    def handle(self, *args, **options):
        try:
            result = published_load(settings.BASE_DIR / "fixtures")
        except PublishedFiguresRefused as refused:
            raise CommandError(str(refused)) from refused
        if options["verbosity"]:
            created = ", ".join(f"{standing} {count}" for standing, count in sorted(result.created.items())) or "none"
            self.stdout.write(f"published figures stored: {created}; already loaded and unchanged: {result.unchanged}")
