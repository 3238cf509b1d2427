"""`manage.py dev_prepare`: what `make run` needs once, after migrate and before the web
server: the Stripe stand-in answering, the demo world, and the webhook registered.

It runs at the head of the Procfile's `web` line, because the stand-in is itself one of
the Procfile's processes: honcho starts it at the same moment, so this waits for it.
The stand-in keeps everything in memory and starts empty each time, which is why the
demo partners' cards and the webhook are written again on every start."""

import os
import time

import requests
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

WEBHOOK_PATH = "/payments/stripe/webhook/"


class Command(BaseCommand):
    help = "Wait for the Stripe stand-in, build the demo world and register the webhook (make run)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--webhook-url",
            default=None,
            help=f"Where the stand-in posts events; default http://$WEB_BIND{WEBHOOK_PATH}",
        )
        parser.add_argument("--wait", type=float, default=30.0, help="Seconds to wait for the stand-in")
        parser.add_argument("--even-with-debug-off", action="store_true", help="Passed on to demo_data.")

    def handle(self, *args, webhook_url, wait, even_with_debug_off=False, **options):
        webhook_url = webhook_url or f"http://{os.environ.get('WEB_BIND', '127.0.0.1:8000')}{WEBHOOK_PATH}"
        wait_for_stand_in(wait)
        call_command("demo_data", even_with_debug_off=even_with_debug_off, stdout=self.stdout)
        call_command("stripe_register_webhook", url=webhook_url, stdout=self.stdout)


def stand_in_answers() -> bool:
    """True once the stand-in answers an authenticated list call, whatever the status."""
    try:
        requests.get(
            f"{settings.STRIPE_API_BASE}/v1/customers",
            params={"limit": 1},
            auth=(settings.STRIPE_SECRET_KEY, ""),
            timeout=2,
        )
    except requests.RequestException:
        return False
    return True


def wait_for_stand_in(seconds: float) -> None:
    """Return once the stand-in at STRIPE_API_BASE answers; raise after `seconds`."""
    deadline = time.monotonic() + seconds
    while not stand_in_answers():
        if time.monotonic() >= deadline:
            raise CommandError(
                f"The Stripe stand-in at {settings.STRIPE_API_BASE} did not answer within {seconds:g}s "
                "(make run starts it as the Procfile's `stripe` process)."
            )
        time.sleep(0.2)
