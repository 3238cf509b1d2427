import json

from django.core.management.base import BaseCommand, CommandError

from backoffice.audit import run_audit


class Command(BaseCommand):
    help = (
        "Check the platform's promises: no order lost, no stock oversold, the ledger equal "
        "to the stock rows, at most one charge per order, every order's events a valid path, and every "
        "campaign allocation within its request and supply, on one order per run and ship-to."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-stripe", action="store_true", help="skip the checks that list PaymentIntents at Stripe"
        )

    def handle(self, *args, no_stripe, **options):
        report = run_audit(with_stripe=not no_stripe)
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        if not report.passed:
            raise CommandError("the audit found broken promises (see findings)")
