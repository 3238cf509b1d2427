"""Measure what the journey costs per order in one process, as a worker runs it: CPU of
this process (time.process_time) and of the PostgreSQL backends of its database, and
SQL statements, from CREATED to CONFIRMED, half the orders by card (through a
Stripe stand-in) and half on account.

Against a database of your own holding the bench's world and a stand-in of your own:

    DATABASE_URL=postgres://.../bouquet_mine REDIS_URL=redis://127.0.0.1:6379/12 \\
    STRIPE_API_BASE=http://127.0.0.1:8488 \\
        .venv/bin/python scripts/profile_journey.py --orders 400 --batch 20 [--profile]

Each round places `--batch` orders through intake (not measured) and runs the journey's
steps over them, as a woken task does with the orders it gathered; `--batch` is the
number of orders a claim finds (at 100 orders/s with STEP_GATHER_MS 200, about 20).
It prints the quietest fifth of the rounds and the median (another process's load
inflates a round's CPU). With --profile it runs the rounds again under cProfile."""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import profile_intake  # noqa: E402  (sets the environment as production runs)


def backend_cpu_s(pids: list[int]) -> float:
    """The CPU the backends have used, in nanoseconds' resolution (/proc/PID/schedstat:
    /proc/PID/stat counts clock ticks, 10 ms each, as much as a whole round costs)."""
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except FileNotFoundError:
            continue
    return total / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", help="write the raw profile here (pstats)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from journey.runner import run_step
    from orders.models import Order

    place = placer()
    database = connection.settings_dict["NAME"]

    def backends() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])
            return [row[0] for row in cursor.fetchall()]

    def journey() -> None:
        for step in ("reserve", "pay", "finalize"):
            run_step(step)

    place(args.batch)
    journey()  # warm: connections, caches, Stripe's session
    rounds = []
    for _ in range(max(1, args.orders // args.batch)):
        place(args.batch)
        pids = backends()
        pg_before, cpu_before = backend_cpu_s(pids), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            journey()
        cpu, pg = time.process_time() - cpu_before, backend_cpu_s(pids) - pg_before
        rounds.append((cpu, pg, len(queries)))
    confirmed = Order.objects.filter(status="CONFIRMED").count()
    per_order = sorted(
        (1000 * cpu / args.batch, 1000 * pg / args.batch, statements / args.batch) for cpu, pg, statements in rounds
    )
    quiet = per_order[: max(1, len(per_order) // 5)]
    median = per_order[len(per_order) // 2]
    print(f"{len(rounds)} rounds of {args.batch} orders; {confirmed} orders CONFIRMED in the database")
    quiet_mean = [sum(column) / len(quiet) for column in zip(*quiet)]
    for label, (worker, postgres, statements) in (("quietest fifth", quiet_mean), ("median", median)):
        print(
            f"{label}: per order worker {worker:.2f} ms CPU, PostgreSQL {postgres:.2f} ms CPU, "
            f"{statements:.1f} statements"
        )
    if not args.profile:
        return
    profiler = cProfile.Profile(time.process_time)
    for _ in range(max(1, args.orders // args.batch)):
        place(args.batch)
        profiler.enable()
        journey()
        profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    for order in ("tottime", "cumulative"):
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(args.top)


def placer():
    """A function placing n orders through intake, as the bench's buyers do, alternating
    partners by card and on account."""
    import json
    import random

    from django.core.handlers.wsgi import WSGIHandler

    from devdata.bench_world import issue_bench_tokens
    from inventory.models import Product

    tokens = [token for _code, token in sorted(issue_bench_tokens().items())]
    products = list(Product.objects.filter(sku__startswith="BX-").values_list("sku", "case_pack"))
    rng = random.Random(7)
    handler = WSGIHandler()
    sent = 0

    def start_response(status, headers, exc_info=None):
        if not status.startswith("202"):
            raise RuntimeError(f"intake answered {status}")

    def place(count: int) -> None:
        nonlocal sent
        for _ in range(count):
            lines = rng.sample(products, rng.randint(1, 3))
            body = json.dumps(
                {
                    "po_number": f"JOURNEY-{rng.randint(1, 10**6)}",
                    "lines": [{"sku": sku, "quantity": pack * rng.randint(1, 3)} for sku, pack in lines],
                }
            ).encode()
            answer = handler(profile_intake.order_environ(tokens[sent % len(tokens)], body), start_response)
            b"".join(answer)
            answer.close()
            sent += 1

    return place


if __name__ == "__main__":
    main()
