from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devdata.demo import DEMO_PASSWORD, build_demo_world
from payments.exceptions import PaymentError


class Command(BaseCommand):
    help = (
        "Build the deterministic demo world of docs/DESIGN.md section 7 (staff, partners BLOOM, FERN and "
        "THORN, warehouses, catalogue, stock, prices, cards at the Stripe stand-in). Safe to run again: what "
        "exists and matches is left as it is."
    )

    def handle(self, *args, **options):
        try:
            counts = build_demo_world(stdout=self.stdout)
        except PaymentError as exc:
            raise CommandError(
                f"The demo world's database rows are written, but the cards on file are not ({exc.message}). "
                f"Is the Stripe stand-in running at {settings.STRIPE_API_BASE}? Run demo_data again once it is."
            ) from exc
        for kind, tally in counts.items():
            self.stdout.write(
                f"{kind:<17} {tally['created']:>4} created {tally['updated']:>4} updated "
                f"{tally['unchanged']:>4} already there"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo world ready. Users backoffice, bloom, fern and thorn; password {DEMO_PASSWORD!r}."
            )
        )
