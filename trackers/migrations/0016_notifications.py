"""Notifications by email: each user's preferences, the log that sends every mail once, and the
two beat entries (daily reminders, weekly reviewers' digest) in the database schedule."""
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

REMINDERS = "Daily reminders: figures due soon and overdue"
DIGEST = "Weekly digest of the review queue for reviewers"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, when in (
        (REMINDERS, "trackers.notifications_reminders", {"minute": "0", "hour": "8", "day_of_week": "*"}),
        (DIGEST, "trackers.notification_digest", {"minute": "30", "hour": "8", "day_of_week": "1"}),
    ):
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **when, day_of_month="*", month_of_year="*", timezone="Asia/Shanghai",
        )
        PeriodicTask.objects.update_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[REMINDERS, DIGEST]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trackers", "0015_published_figures"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='NotificationLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('return', 'figure returned'), ('approval', 'figure approved'), ('reminder', 'figure due soon'), ('overdue', 'figure overdue'), ('digest', 'review digest')], max_length=16, verbose_name='kind')),
                ('key', models.CharField(max_length=64, verbose_name='what it is about')),
                ('run', models.UUIDField(editable=False, verbose_name='sending run')),
                ('sent_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent at')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'notification sent',
                'verbose_name_plural': 'notifications sent',
                'ordering': ['-sent_at'],
                'indexes': [models.Index(fields=['run'], name='notification_log_run')],
                'constraints': [models.UniqueConstraint(fields=('user', 'kind', 'key'), name='notification_log_once'), models.CheckConstraint(condition=models.Q(('kind__in', ['return', 'approval', 'reminder', 'overdue', 'digest'])), name='notification_log_kind_valid')],
            },
        ),
        migrations.CreateModel(
            name='NotificationPreferences',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reminders', models.BooleanField(default=True, verbose_name='reminders before the due date and when overdue')),
                ('returns', models.BooleanField(default=True, verbose_name='when a figure of mine is returned')),
                ('approvals', models.BooleanField(default=True, verbose_name='when a figure of mine is approved')),
                ('reviewer_digest', models.BooleanField(default=True, verbose_name='weekly digest of the review queue (reviewers)')),
                ('language', models.CharField(choices=[('zh-hans', '简体中文'), ('en', 'English')], default='zh-hans', max_length=16, verbose_name='language of the mails')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preferences', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'notification preferences',
                'verbose_name_plural': 'notification preferences',
                'constraints': [models.CheckConstraint(condition=models.Q(('language__in', ['zh-hans', 'en'])), name='notification_preferences_language_valid')],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
