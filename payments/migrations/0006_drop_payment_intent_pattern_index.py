# Issue 20: the PaymentIntent id's pattern index, which Django adds beside the unique
# one for LIKE 'prefix%' and no query asks for (the webhook and the admin look ids up
# whole). It was a B-tree write when a card payment is written and again when its
# PaymentIntent is stored. Dropped concurrently, with the connection's timeouts lifted.

from django.db import migrations

INDEX = "payments_payment_stripe_payment_intent_id_481f9973_like"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("payments", "0005_stripe_event_mirror_failed_index"),
    ]

    operations = [
        migrations.RunSQL(
            "SET statement_timeout = 0; SET lock_timeout = 0",
            reverse_sql="RESET statement_timeout; RESET lock_timeout",
        ),
        migrations.RunSQL(
            f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
            reverse_sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
            "ON payments_payment (stripe_payment_intent_id varchar_pattern_ops)",
        ),
        migrations.RunSQL(
            "RESET statement_timeout; RESET lock_timeout",
            reverse_sql="SET statement_timeout = 0; SET lock_timeout = 0",
        ),
    ]
