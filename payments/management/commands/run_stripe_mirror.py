import logging
import os
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from payments.mirror import EventArrivals, mirror_waiting_events, prepare_mirror

logger = logging.getLogger("bouquet.payments.mirror")


class Command(BaseCommand):
    help = (
        "Run the Stripe mirror: copy the Stripe events our webhook stored into dj-stripe's models, "
        "in small batches, at the lowest CPU priority, waiting while an operator has paused it "
        "(manage.py stripe_mirror pause) and while events come at a peak's pace. "
        "Stops after the batch in hand on SIGTERM or SIGINT."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Mirror what waits now, then exit.")

    def handle(self, *args, once: bool = False, **options):
        os.nice(settings.STRIPE_MIRROR["NICENESS"])
        stopping = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.append(True))
        prepare_mirror()
        arrivals = EventArrivals()
        while not stopping:
            try:
                batch = mirror_waiting_events(arrivals=arrivals)
            except DatabaseError:
                # PostgreSQL away: the events wait where they are; look again later.
                logger.exception("stripe mirror batch failed")
                close_old_connections()
                batch = None
            if batch and batch.handled:
                logger.info("stripe events mirrored", extra=batch.__dict__)
                continue
            if once:
                break
            time.sleep(settings.STRIPE_MIRROR["IDLE_SECONDS"])
