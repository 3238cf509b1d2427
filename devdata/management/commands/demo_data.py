from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devdata.demo import DEMO_PASSWORD, build_demo_world
from payments.exceptions import PaymentError


class Command(BaseCommand):
    help = (
        "Build the deterministic demo world of docs/DESIGN.md section 7 (staff, partners BLOOM, FERN and "
        "THORN, warehouses, catalogue, stock, prices, cards at the Stripe stand-in, the VDAY campaign). Safe to "
        "run again: what exists and matches is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--even-with-debug-off",
            action="store_true",
            help="Build it although DEBUG is off (the tests do; never a production database).",
        )

    def handle(self, *args, even_with_debug_off=False, **options):
        # The demo world signs in as a superuser with a public password, and resets
        # that password on every run: it belongs on a developer's machine only.
        if not settings.DEBUG and not even_with_debug_off:
            raise CommandError(
                f"DEBUG is off: demo_data would create the superuser backoffice with the public password "
                f"{DEMO_PASSWORD!r}. Run it with DEBUG=1 (make run does), or pass --even-with-debug-off."
            )
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
