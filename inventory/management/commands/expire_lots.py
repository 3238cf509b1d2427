import json

from django.core.management.base import BaseCommand

from inventory.waste import write_off_expired_lots


class Command(BaseCommand):
    help = (
        "Write off the unreserved units of every lot that expired before today on its warehouse's clock, with an "
        "expiry movement in the ledger. Safe to run again: a lot already written off is left alone."
    )

    def handle(self, *args, **options):
        written = write_off_expired_lots(actor="expire_lots command")
        report = {
            "lots": len(written),
            "units": sum(w.units for w in written),
            "written_off": [{"stock_id": w.stock_id, "lot": w.lot, "units": w.units} for w in written],
        }
        self.stdout.write(json.dumps(report, indent=2))
