from django.core.management.base import BaseCommand

from payments.reconciliation import reconcile


class Command(BaseCommand):
    help = (
        "Compare what Stripe holds for the last hours (charges, refunds) with our payments, now, and "
        "record the differences for the admin's panel (the nightly schedule does the same)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, help="How far back (default STRIPE_RECONCILE_HOURS, 24).")

    def handle(self, *args, hours=None, **options):
        run = reconcile(hours=hours)
        if run.error:
            self.stderr.write(run.error)
        self.stdout.write(
            f"Checked {run.charges_checked} charge(s) and {run.refunds_checked} refund(s) since "
            f"{run.window_start:%Y-%m-%d %H:%M} UTC: {run.findings.count()} difference(s)."
        )
        for finding in run.findings.all():
            self.stdout.write(f"  {finding.get_kind_display()}: {finding.detail}")
