"""The sweeper's task moved from orders.tasks to journey.tasks with the workers: the
schedule names it by dotted path, so point it at the new one."""

from django.db import migrations

SWEEPER = "bouquet-sweeper"


def point_at(func):
    def forward(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(name=SWEEPER).update(func=func)

    return forward


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_deadletter_moves_here"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(point_at("journey.tasks.sweep_task"), point_at("orders.tasks.sweep_task")),
    ]
