from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trackers.services.demo import DEMO_PASSWORD, STAFF, demo_load


class Command(BaseCommand):
    help = "Create demo users and invented yearly figures (labelled demo). Refused unless DEMO_MODE is on."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("DEMO_MODE is off: demo users and figures are never loaded into a real service.")
        counts = demo_load()
        self.stdout.write(
            f"demo users {counts['users']}, demo figures {counts['figures']}; "
            f"logins: {', '.join(STAFF)} and demo-gd/-gz/-sz/-cz/-jm, password {DEMO_PASSWORD}"
        )
