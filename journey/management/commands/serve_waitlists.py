from django.core.management.base import BaseCommand

from orders.campaign_runs import serve_waitlists


class Command(BaseCommand):
    help = (
        "Serve peak campaigns' waitlists now, as the waitlist task and the sweeper do: a run for every "
        "allocated campaign whose waiting lines its supply can now serve, each served line an order."
    )

    def handle(self, *args, **options):
        outcomes = serve_waitlists(actor="manage.py serve_waitlists")
        for outcome in outcomes:
            units = sum(outcome.granted.values())
            orders = ", ".join(outcome.order_numbers)
            self.stdout.write(
                f"{outcome.campaign.code} run {outcome.number}: {units} units on "
                f"{len(outcome.order_numbers)} order(s) {orders}"
            )
        if not outcomes:
            self.stdout.write("No waitlist could be served: none waits, or no new supply serves it.")
