"""The beat schedule lives in the database (django-celery-beat), editable in the admin."""
from django.db import migrations

SCHEDULE = [
    # name, task, crontab (minute, hour) or None, interval seconds or None
    ("Nightly recompute of every target", "kpis.recompute_all", ("30", "2"), None),
    ("Outbox sweep: dispatch owed recomputations", "kpis.outbox_sweep", None, 60),
]


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, crontab, seconds in SCHEDULE:
        fields = {"task": task}
        if crontab:
            minute, hour = crontab
            fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
                timezone="Asia/Shanghai",
            )
        else:
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=seconds, period="seconds")
        PeriodicTask.objects.update_or_create(name=name, defaults=fields)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[s[0] for s in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
