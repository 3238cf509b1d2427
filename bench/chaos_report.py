"""What `make chaos` prints and keeps: a table of the scenarios on the terminal and
every figure in `bench/results/chaos-<time>.json` (bench/chaos.py runs them)."""

from bench.platform import ROOT

RESULTS = ROOT / "bench" / "results"


def scenario_passed(result: dict) -> bool:
    """The audit found nothing, no accepted order was lost, a scenario's own checks
    (the campaign's) passed, and a deploy failed no request."""
    return (
        result["audit_passed"]
        and result["lost"] == 0
        and result.get("campaign", {}).get("passed", True)
        and not (result.get("promises_no_failed_request") and result["failed_requests"])
    )


def table(results: list[dict]) -> str:
    """One row per scenario; `campaign` is the campaign scenario's own checks."""
    head = ("scenario", "orders", "failed requests", "lost", "oversold", "double charges", "invalid paths")
    head += ("unfit lots", "audit", "drain s", "campaign")
    rows = [head] + [
        (
            r["name"],
            r["orders"],
            r["failed_requests"],
            r["lost"],
            r["oversold"],
            r["double_charges"],
            r["invalid_paths"],
            r["unfit_lots"],
            "passed" if r["audit_passed"] else "FAILED",
            r["drain_s"],
            ("passed" if r["campaign"]["passed"] else "FAILED") if "campaign" in r else "-",
        )
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths)) for row in rows)


def write_figures(results: list[dict], *, stamp: str, args) -> None:
    from bench import report

    figures = {
        "run": {"at": stamp, "rate_per_s": args.rate, "seconds_per_scenario": args.seconds},
        "scenarios": results,
    }
    path = RESULTS / f"chaos-{stamp}.json"
    report.write_json(figures, path)
    print()
    print(table(results))
    print(f"\nfigures: {path.relative_to(ROOT)}")
