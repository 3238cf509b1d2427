"""DeadLetter moves to `orders` (orders 0006), in Django's state only: the table
stays where it is, now owned by the orders app's model."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("orders", "0006_deadletter_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DeadLetter")],
            database_operations=[],
        ),
    ]
