from django.core.management.base import BaseCommand, CommandError

from payments.exceptions import PaymentError
from payments.stand_in import register_webhook


class Command(BaseCommand):
    help = (
        "Register this platform's webhook at the Stripe stand-in (localstripe keeps "
        "registrations in memory only, so run this after every start of it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            required=True,
            help="Where the stand-in should post events, e.g. http://127.0.0.1:8000/payments/stripe/webhook/",
        )

    def handle(self, *args, url, **options):
        try:
            register_webhook(url=url)
        except PaymentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Webhook registered at the Stripe stand-in: {url}")
