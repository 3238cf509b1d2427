"""DeadLetter moves from `payments` to `orders`, in Django's state only: the table
keeps its name (payments_deadletter) and its rows, so nothing is copied."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_csv_upload_heartbeat"),
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DeadLetter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("task", models.CharField(max_length=100)),
                        ("error", models.TextField()),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("status", models.CharField(choices=[("open", "Open"), ("retried", "Retried"), ("resolved", "Resolved")], default="open", max_length=10)),
                        ("created_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        ("resolved_by", models.CharField(blank=True, max_length=150)),
                        ("order", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="dead_letters", to="orders.order")),
                    ],
                    options={
                        "db_table": "payments_deadletter",
                        "ordering": ["-id"],
                        "indexes": [models.Index(fields=["status"], name="dead_letter_status")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
