"""The waste report's permission, and the hourly write-off of expired lots as a
django-q2 schedule: part of the platform, not of a deployment's set-up, so a migration
creates it (as orders/migrations/0002_sweeper_schedule.py does the sweeper's)."""

from django.db import migrations

EXPIRY = "bouquet-expire-lots"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=EXPIRY,
        defaults={"func": "inventory.tasks.expire_lots_task", "schedule_type": "H", "repeats": -1},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=EXPIRY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_lots"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="stockmovement",
            options={
                "ordering": ["id"],
                "permissions": [("view_waste_report", "Can see the waste report (what expired unsold)")],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
