from django.db import migrations

ROLES = ["submitter", "reviewer", "leader", "auditor", "administrator"]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("trackers", "0002_reporting_calendar"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
