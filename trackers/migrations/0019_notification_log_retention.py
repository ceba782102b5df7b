"""The mail log's retention: an index on when each mail was sent, and the daily prune of rows
older than NOTIFICATION_LOG_RETENTION_DAYS in the database beat schedule (django-celery-beat)."""
from django.db import migrations, models

NAME = "Daily prune of the mail log: rows older than NOTIFICATION_LOG_RETENTION_DAYS"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="40", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.update_or_create(name=NAME, defaults={"task": "trackers.notification_log_prune",
                                                               "crontab": crontab})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trackers", "0018_english_labels_without_chinese"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notificationlog",
            index=models.Index(fields=["sent_at"], name="notification_log_sent_at"),
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
