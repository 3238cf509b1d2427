from django.conf import settings
from django.db import migrations, models


def move_problems_out_of_the_report(apps, schema_editor):
    """Uploads finished before the caps kept every problem in `report`: move the first
    CSV_REPORT_MAX_PROBLEMS of them to `problems` and count them all."""
    CsvUpload = apps.get_model("orders", "CsvUpload")
    cap = settings.BOUQUET["CSV_REPORT_MAX_PROBLEMS"]
    finished = CsvUpload.objects.filter(status__in=["done", "invalid"]).only("id", "report", "total_rows")
    # One at a time: a report from before the caps could hold a million rows.
    for upload in finished.iterator(chunk_size=1):
        found = [entry for entry in upload.report or [] if "line" in entry]
        if not found:
            continue
        refused = len({entry["line"] for entry in found})
        CsvUpload.objects.filter(id=upload.id).update(
            problems=found[:cap],
            problem_count=len(found),
            rows_refused=refused,
            rows_ok=max(upload.total_rows - refused, 0),
            report=[entry for entry in upload.report if "line" not in entry],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0009_order_role_permissions'),
    ]

    operations = [
        migrations.AddField(
            model_name='csvupload',
            name='problems',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='csvupload',
            name='problem_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='csvupload',
            name='rows_ok',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='csvupload',
            name='rows_refused',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='csvupload',
            name='stopped_at_line',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(move_problems_out_of_the_report, migrations.RunPython.noop),
    ]
