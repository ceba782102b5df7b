"""Snapshots carry their target's plan, the status's sort order and the shortfall against the path,
so that tables of a plan's targets sort and count in the database (index-backed) at national scale."""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Case, F, OuterRef, Subquery, Value, When

STATUS_ORDER = ["achieved", "on_track", "at_risk", "off_track", "overdue", "no_data"]  # as the vocabulary, then


def fill_sort_columns(apps, schema_editor):
    Snapshot = apps.get_model("kpis", "ProgressSnapshot")
    Target = apps.get_model("trackers", "Target")
    Snapshot.objects.update(
        plan_id=Subquery(Target.objects.filter(pk=OuterRef("target_id")).values("plan_id")[:1]),
        status_rank=Case(*(When(status=code, then=Value(rank)) for rank, code in enumerate(STATUS_ORDER)),
                         default=Value(len(STATUS_ORDER) - 1)),
        shortfall=F("expected_progress") - F("progress"),
    )


SHORTFALL_INDEX = "snapshot_plan_by_shortfall"


def shortfall_index(apps, schema_editor):
    """"Furthest behind first" reads this index in order. SQLite cannot declare NULLS LAST in an index
    (and serves only small data sets), so it exists on PostgreSQL only."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {SHORTFALL_INDEX} ON kpis_progresssnapshot "
            "(as_of, plan_id, shortfall DESC NULLS LAST, target_id)"
        )


def drop_shortfall_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SHORTFALL_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('kpis', '0003_snapshot_projection_and_vocabulary'),
        ('trackers', '0008_calendar_schedule'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='progresssnapshot',
            name='kpis_progre_as_of_7498c1_idx',
        ),
        migrations.AddField(
            model_name='progresssnapshot',
            name='plan',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trackers.plan', verbose_name='plan'),
        ),
        migrations.AddField(
            model_name='progresssnapshot',
            name='shortfall',
            field=models.DecimalField(blank=True, decimal_places=8, max_digits=20, null=True, verbose_name='shortfall against the path'),
        ),
        migrations.AddField(
            model_name='progresssnapshot',
            name='status_rank',
            field=models.PositiveSmallIntegerField(null=True, verbose_name='status order'),
        ),
        migrations.RunPython(fill_sort_columns, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='progresssnapshot',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trackers.plan', verbose_name='plan'),
        ),
        migrations.AlterField(
            model_name='progresssnapshot',
            name='status_rank',
            field=models.PositiveSmallIntegerField(verbose_name='status order'),
        ),
        migrations.AddIndex(
            model_name='progresssnapshot',
            index=models.Index(fields=['as_of', 'plan', 'status_rank', 'target'], name='snapshot_plan_by_status'),
        ),
        migrations.RunPython(shortfall_index, drop_shortfall_index),
    ]
