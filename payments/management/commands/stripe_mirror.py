from django.core.management.base import BaseCommand
from django.db.models import Q

from payments.mirror import mirror_paused, set_mirror_paused
from payments.models import StripeEvent


class Command(BaseCommand):
    help = (
        "Pause the Stripe mirror at peak, resume it after, or show its state. While paused, "
        "events wait in the webhook's table; they are mirrored after resume."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["pause", "resume", "status"])

    def handle(self, *args, action: str, **options):
        if action != "status":
            set_mirror_paused(action == "pause")
        waiting = StripeEvent.objects.filter(mirrored_at__isnull=True).count()
        failed = StripeEvent.objects.filter(~Q(mirror_error=""), mirrored_at__isnull=False).count()
        state = "paused" if mirror_paused() else "running"
        self.stdout.write(f"Stripe mirror {state}: {waiting} event(s) waiting, {failed} failed.")
