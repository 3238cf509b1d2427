import json

from django.core.management.base import BaseCommand

from journey.sweeper import sweep


class Command(BaseCommand):
    help = "Re-drive stuck orders now: run every journey step over what is due, and report."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(sweep(), indent=2))
