"""The nightly reconciliation as a django-q2 schedule, as inventory's hourly write-off
is: at 02:30 UTC, on the CSV imports' cluster (`run_workers --imports`), whose queue
no journey step waits in."""

import datetime

from django.db import migrations

RECONCILIATION = "bouquet-stripe-reconciliation"
IMPORTS_CLUSTER = "bouquet-imports"


def create_schedule(apps, schema_editor):
    now = datetime.datetime.now(datetime.UTC)
    next_run = now.replace(hour=2, minute=30, second=0, microsecond=0)
    if next_run <= now:
        next_run += datetime.timedelta(days=1)
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=RECONCILIATION,
        defaults={
            "func": "payments.tasks.reconcile_last_day",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": next_run,
            "cluster": IMPORTS_CLUSTER,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=RECONCILIATION).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_stripe_mirror"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
