"""Rows loaded before origins existed: the plans with a seed file, and their promises other than
the ones intake added (keys intake-N), came from the curated fixtures; every plan that existed
was visible, so it is published. Fingerprints stay empty: on its next run the loader adopts the
rows that equal the fixtures and reports, without overwriting, the ones that differ."""
from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def mark_existing_rows(apps, schema_editor):
    Plan = apps.get_model("trackers", "Plan")
    curated_plans = Plan.objects.exclude(seed_file="")
    curated_plans.update(origin="curated")
    Plan.objects.filter(published_at__isnull=True).update(published_at=timezone.now())
    for name in ("Target", "Milestone", "Baseline"):
        model = apps.get_model("trackers", name)
        model._base_manager.filter(plan__in=curated_plans).exclude(key__startswith="intake-").update(origin="curated")
    apps.get_model("trackers", "Region").objects.update(origin="curated")
    apps.get_model("trackers", "Department").objects.update(origin="curated")
    apps.get_model("trackers", "Indicator").objects.filter(
        Q(targets__origin="curated") | Q(baseline__origin="curated")
    ).update(origin="curated")


class Migration(migrations.Migration):
    dependencies = [("trackers", "0010_plans_as_living_data")]

    operations = [migrations.RunPython(mark_existing_rows, migrations.RunPython.noop)]
