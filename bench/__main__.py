"""Run the benchmark: `python -m bench [--quick]` (what `make bench` calls)."""

import argparse
import os
import platform as host
import signal
import sys
from datetime import UTC, datetime

from bench.platform import BENCH_ENV, ROOT, Platform, fresh_database

RESULTS = ROOT / "bench" / "results"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run (under 3 minutes)")
    # Tuned on this 2-core machine: see bench/README.md and bench/RESULTS.md for what each measured.
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("BENCH_WEB_WORKERS", 3)))
    parser.add_argument("--q-workers", type=int, default=int(os.environ.get("BENCH_Q_WORKERS", 2)))
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenarios (ceiling,intake,intake_alone,end_to_end,spike,hot_sku,csv)",
    )
    parser.add_argument(
        "--screenshot",
        action="store_true",
        help="screenshot the admin home's peak view late in the spike (or end to end); a full run always does",
    )
    return parser.parse_args()


def machine() -> dict:
    import django
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": host.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "platform": host.platform(),
    }


def prepare(bench: Platform) -> None:
    """Migrate, start the stand-in, build the data set, and give the planner its
    statistics."""
    print("preparing: migrate, stand-in, data set", flush=True)
    bench.manage("migrate", "--noinput")
    bench.start_stand_in()
    print("  " + bench.manage("bench_data", "--partners", "200", "--skus", "2000").strip(), flush=True)
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh tables have no planner statistics until autovacuum comes by; a
        # database in service has them.
        cursor.execute("ANALYZE")


def add_fraction_of_ceiling(figures: dict, name: str) -> None:
    if "ceiling" in figures and figures["ceiling"]["rate_per_s"]:
        figures[name]["fraction_of_ceiling"] = round(figures[name]["rate_per_s"] / figures["ceiling"]["rate_per_s"], 2)


def screenshot_later(bench: Platform, stamp: str, after_s: float):
    """The admin home's peak view, screenshot `after_s` seconds from now (bench.peak_screenshot)."""
    from bench.peak_screenshot import ScreenshotLater

    return ScreenshotLater(bench.base_url, RESULTS / f"peak-view-{stamp}.png", after_s).start()


def run_scenarios(bench: Platform, figures: dict, *, quick: bool, wanted, stamp: str, screenshot: bool) -> None:
    """Run each wanted scenario of DESIGN section 9 (docs/DESIGN.md) into `figures`."""
    from bench import report, scenarios

    traffic = scenarios.Traffic(bench.base_url)
    seconds = 5 if quick else 15
    if wanted("ceiling"):
        print("ceiling: a bare insert view on the same gunicorn", flush=True)
        rates = [300, 500] if quick else [300, 400, 500, 600, 700, 800]
        figures["ceiling"] = scenarios.ceiling(bench.base_url, rates=rates, seconds=seconds)
    if wanted("intake"):
        print("intake: POST /api/v1/orders/ at constant arrival rates", flush=True)
        rates = [100, 300] if quick else [100, 150, 200, 250, 300, 350, 400, 500]
        figures["intake"] = scenarios.intake(traffic, rates=rates, seconds=seconds, drain_limit_s=20 if quick else 120)
        add_fraction_of_ceiling(figures, "intake")
    if wanted("end_to_end"):
        print("end to end: accepted to CONFIRMED, half card, half on account", flush=True)
        seconds_e2e = 10 if quick else 30
        picture = screenshot_later(bench, stamp, seconds_e2e * 0.8) if screenshot and not wanted("spike") else None
        figures["end_to_end"] = scenarios.end_to_end(
            traffic, rate=100, seconds=seconds_e2e, drain_limit_s=40 if quick else 300
        )
        print(f"    {figures['end_to_end']['rate_per_s']}/s confirmed", flush=True)
        if picture and picture.join():
            figures["end_to_end"]["peak_view"] = picture.path.name
    if wanted("spike"):
        print("spike: base rate, then fifty times it, then base again", flush=True)
        # QUICK keeps the shape (fifty times the base rate) but not the size.
        base_s, spike_s = (3, 10) if quick else (15, 60)
        # Late in the spike: the backlog at its height, the orders of the spike counted.
        picture = screenshot_later(bench, stamp, base_s + spike_s * 0.9) if screenshot else None
        figures["spike"] = scenarios.spike(
            traffic,
            base_rate=2 if quick else 6,
            factor=50,
            base_s=base_s,
            spike_s=spike_s,
            drain_limit_s=40 if quick else 600,
        )
        if picture and picture.join():
            figures["spike"]["peak_view"] = picture.path.name
        report.spike_picture(figures["spike"], RESULTS / f"spike-{stamp}.png")
        figures["spike"]["picture"] = f"spike-{stamp}.png"
    if wanted("hot_sku"):
        print("hot SKU: 500 buyers for the last 100 units", flush=True)
        figures["hot_sku"] = scenarios.hot_sku(traffic, buyers=500, units=100)
    if wanted("csv"):
        print("csv: a 10,000-line file through the importer", flush=True)
        figures["csv"] = scenarios.csv_import({**os.environ}, lines=2000 if quick else 10_000)
    if wanted("intake_alone"):
        # The intake steps again with the journey's workers stopped: what intake
        # holds with the machine to itself, which tells its own cost from the
        # journey's. Last, because the orders it leaves are never processed.
        print("intake alone: the same steps, with the workers stopped", flush=True)
        bench.stop_child("qcluster")
        rates = [300, 500] if quick else [200, 300, 350, 400, 450, 500]
        figures["intake_alone"] = scenarios.step_rates(traffic.order_request, rates, seconds, expected=202)
        add_fraction_of_ceiling(figures, "intake_alone")


def main() -> int:
    # SIGTERM (or Ctrl-C) ends the run through `finally`, which stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    os.environ.update(BENCH_ENV)
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    only = set(filter(None, args.only.split(",")))

    fresh_database()
    bench = Platform(web_workers=args.web_workers, q_workers=args.q_workers, log_path=RESULTS / f"platform-{stamp}.log")
    figures: dict = {
        "run": {"at": stamp, "quick": args.quick, "web_workers": args.web_workers, "q_workers": args.q_workers}
    }
    try:
        prepare(bench)
        figures["machine"] = machine()
        bench.start_servers()
        bench.sample_memory()
        run_scenarios(
            bench,
            figures,
            quick=args.quick,
            wanted=lambda name: not only or name in only,
            stamp=stamp,
            screenshot=args.screenshot or not (args.quick or only),
        )
        figures["memory"] = {"peak_mib": round(max(bench.memory_peak_mib, bench.rss_mib()), 1)}
    finally:
        bench.stop()
    from bench import report

    path = RESULTS / f"bench-{stamp}.json"
    report.write_json(figures, path)
    (RESULTS / "latest.json").write_text(path.read_text())
    print()
    print(report.table(figures))
    print(f"\nfigures: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
