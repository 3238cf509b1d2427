"""Measure what POST /api/v1/orders/ costs a gunicorn worker, or compare two checkouts.

The bench's cost per order is two to three times what profile_intake.py measures in
one process, and most of the gap is not gunicorn's own Python: a process that sleeps
between requests, as a web worker at 100 orders a second does, finds its caches cold
at each one (on this kind of machine, a guest of 2 cores, one sync worker took 2.6 ms
of CPU a request paced at 100 a second against 1.3 ms back to back, and 1.15 ms in
one process). A change to intake is therefore judged by the CPU of a real gunicorn
worker paced as the bench paces it, and against the code before it in the same
minutes, since the machine's speed drifts: two gunicorns, one sync worker each, one
per checkout, take turns request by request, and each one's CPU is read at the end of
each round.

Against a database of your own holding the bench's world
(`manage.py bench_data --partners 20 --skus 200`) and its Redis database:

    DATABASE_URL=postgres://.../bouquet_mine REDIS_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python scripts/compare_intake.py [--rate 100] [--seconds 80] A_DIR [B_DIR]

With one checkout it prints its CPU per request paced at `--rate`, then back to back.
With two (for instance `git worktree add /tmp/before HEAD` beside your change), it
prints each round's figure for A and B and the ratio B/A of their means. Orders it
places stay in the database (in CREATED: no worker runs)."""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from profile_intake import PROFILE_ENVIRONMENT  # noqa: E402  (sets the environment as production runs)

FIRST_PORT = 8097


def start_gunicorn(checkout: Path, port: int, log: Path) -> subprocess.Popen:
    environment = {**os.environ, **PROFILE_ENVIRONMENT, "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp()}
    return subprocess.Popen(
        [str(checkout / ".venv/bin/gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--no-control-socket"],
        cwd=checkout,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def cpu_seconds(server: subprocess.Popen) -> float:
    master = psutil.Process(server.pid)
    return sum(sum(process.cpu_times()[:2]) for process in [master, *master.children()])


class Orders:
    """Order requests as nginx forwards them: a new connection each, a token of the
    bench's partners, one to three of its products."""

    def __init__(self):
        import django

        django.setup()
        from devdata.bench_world import issue_bench_tokens
        from inventory.models import Product

        self.tokens = list(issue_bench_tokens().values())
        self.products = list(Product.objects.filter(sku__startswith="BX-").values_list("sku", "case_pack"))
        self.random = random.Random(7)

    def send(self, port: int) -> int:
        lines = self.random.sample(self.products, self.random.randint(1, 3))
        body = json.dumps({"lines": [{"sku": sku, "quantity": pack} for sku, pack in lines]})
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {
            "Authorization": f"Token {self.random.choice(self.tokens)}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
            "X-Request-Start": f"t={time.time():.3f}",
        }
        connection.request("POST", "/api/v1/orders/", body, headers)
        status = connection.getresponse().status
        connection.close()
        return status

    def paced(self, ports: list[int], rate: float, seconds: float) -> dict[int, int]:
        """Send at `rate` a second for `seconds`, to each port in turn; return the
        requests each port answered 202."""
        started, sent, accepted = time.monotonic(), 0, dict.fromkeys(ports, 0)
        while (due := started + sent / rate) < started + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            port = ports[sent % len(ports)]
            accepted[port] += self.send(port) == 202
            sent += 1
        return accepted


def per_request_ms(spent: float, answered: int) -> float:
    if not answered:
        raise SystemExit("No order was accepted: see the gunicorn logs in /tmp/compare-intake-*.log")
    return 1000 * spent / answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs="+", type=Path, help="A_DIR [B_DIR]")
    parser.add_argument("--rate", type=float, default=100.0, help="requests a second, all servers together")
    parser.add_argument("--seconds", type=float, default=80.0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    if len(args.checkouts) > 2:
        parser.error("give one checkout, or two to compare")
    orders = Orders()
    ports = [FIRST_PORT + index for index in range(len(args.checkouts))]
    servers = [
        start_gunicorn(checkout.resolve(), port, Path(f"/tmp/compare-intake-{port}.log"))
        for checkout, port in zip(args.checkouts, ports)
    ]
    try:
        time.sleep(8)  # each loads Django
        for _ in range(300):  # fill the caches (tokens, catalogue, prepared statements)
            for port in ports:
                orders.send(port)
        figures: list[list[float]] = [[] for _ in ports]
        for round_number in range(args.rounds):
            before = [cpu_seconds(server) for server in servers]
            accepted = orders.paced(ports, args.rate, args.seconds / args.rounds)
            for index, (server, port) in enumerate(zip(servers, ports)):
                figures[index].append(per_request_ms(cpu_seconds(server) - before[index], accepted[port]))
            print(
                f"round {round_number + 1}: "
                + "  ".join(f"{name} {figure[-1]:.3f} ms" for name, figure in zip("AB", figures))
            )
        means = [sum(figure) / len(figure) for figure in figures]
        print(
            f"paced at {args.rate:g}/s, ms CPU a request: "
            + "  ".join(f"{name} {mean:.3f}" for name, mean in zip("AB", means))
        )
        if len(means) == 2:
            print(f"B/A {means[1] / means[0]:.3f}")
        else:
            before, count = cpu_seconds(servers[0]), 2000
            accepted = sum(orders.send(ports[0]) == 202 for _ in range(count))
            print(f"back to back, ms CPU a request: {per_request_ms(cpu_seconds(servers[0]) - before, accepted):.3f}")
    finally:
        for server in servers:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
