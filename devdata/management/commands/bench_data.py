import json

from django.core.management.base import BaseCommand

from devdata.bench_world import build_bench_world


class Command(BaseCommand):
    help = "Build the benchmark's data set (hundreds of partners, thousands of SKUs); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--partners", type=int, default=200)
        parser.add_argument("--skus", type=int, default=2000)
        parser.add_argument(
            "--history", type=int, default=0, help="shipped orders of past weeks, added once (devdata.bench_history)"
        )

    def handle(self, *args, partners, skus, history, **options):
        self.stdout.write(json.dumps(build_bench_world(partners=partners, skus=skus, history=history)))
