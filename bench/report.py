"""The benchmark's outputs: a table on the terminal, every figure in a JSON file, and a
picture of the spike."""

import json
from pathlib import Path

TARGETS = {
    "intake.rate_per_s": (">=", 300),
    "intake.p99_ms": ("<", 150),
    "end_to_end.rate_per_s": (">=", 100),
    "end_to_end.accepted_to_confirmed_p99_s": ("<", 10),
    "end_to_end.at_30_per_s.accepted_to_confirmed_p99_s": ("<", 2),
    "cost.platform_cpu_ms_per_order": ("<=", 5),
    "spike.errors": ("==", 0),
    "spike.lost": ("==", 0),
    "spike.drain_s": ("<=", 120),
    "spike.longest_stall_s": ("<", 5),
    # Overload is shed, not queued: no order for a client that gave up, and every request
    # answered within the client's 10 s, with 202 or 503 and Retry-After.
    "spike.orders_placed_after_client_gave_up": ("==", 0),
    "spike.answered_within_10s": ("==", True),
    "spike.shed_without_retry_after": ("==", 0),
    "hot_sku.sold": ("==", 100),
    "hot_sku.deadlocks": ("==", 0),
    "hot_sku.errors": ("==", 0),
    "csv.seconds": ("<", 60),
    "memory.peak_mib": ("<", 2048),
}


def lookup(figures: dict, dotted: str):
    value = figures
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def meets(value, op: str, target) -> bool | None:
    if value is None:
        return None
    return {">=": value >= target, "<": value < target, "<=": value <= target, "==": value == target}[op]


def table(figures: dict) -> str:
    rows = [("figure", "measured", "target", "")]
    for key, (op, target) in TARGETS.items():
        value = lookup(figures, key)
        verdict = meets(value, op, target)
        rows.append(
            (
                key,
                "-" if value is None else str(value),
                f"{op} {target}",
                "skipped" if verdict is None else ("ok" if verdict else "MISSED"),
            )
        )
    for key in (
        "ceiling.rate_per_s",
        "intake.fraction_of_ceiling",
        "intake_alone.rate_per_s",
        "intake_alone.p99_ms",
        "end_to_end.accepted_to_confirmed_p50_s",
        "cost.by_kind",
        "cost.postgres_by_client",
        "idle.cpu_ms_per_s",
        "spike.drain_rate_per_s",
        "spike.confirmed_per_s_in_spike",
        "spike.backlog_cleared_s",
        "spike.answers",
        "spike.slowest_answer_s",
        "spike.shed_p99_ms",
        "spike.spike.loadgen_lag_p99_ms",
        "spike.spike.loadgen_lag_max_ms",
        "spike.shed_by",
        "intake.loadgen_cpu_share",
        "machine.speed",
    ):
        value = lookup(figures, key)
        rows.append((key, "-" if value is None else str(value), "", "info"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows)


def write_json(figures: dict, path: Path) -> None:
    path.write_text(json.dumps(figures, indent=2, default=str))


def spike_picture(spike: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = spike.get("series") or []
    depth = spike.get("queue_depth") or []
    figure, axes = plt.subplots(4, 1, figsize=(10, 10), sharex=True)
    axes[0].plot([p["t"] for p in series], [p["ok_per_s"] for p in series], color="tab:green")
    axes[0].set_ylabel("accepted / s")
    axes[1].plot(
        [p["t"] for p in series if p["p99_ms"] is not None],
        [p["p99_ms"] for p in series if p["p99_ms"] is not None],
        color="tab:red",
    )
    axes[1].axhline(150, linestyle="--", color="grey", linewidth=1)
    axes[1].set_ylabel("p99 intake (ms)")
    axes[2].plot([p["t"] for p in depth], [p["waiting"] for p in depth], color="tab:blue")
    axes[2].set_ylabel("orders not yet final")
    axes[3].plot([p["t"] for p in depth], [p.get("moves", 0) for p in depth], color="tab:purple", label="moves")
    axes[3].plot([p["t"] for p in depth], [p.get("confirmed", 0) for p in depth], color="tab:green", label="confirmed")
    axes[3].legend(loc="upper right")
    axes[3].set_ylabel("journey / s")
    axes[3].set_xlabel("seconds")
    figure.suptitle(
        f"Spike: {spike.get('base_rate_per_s')}/s, then {spike.get('peak_rate_per_s')}/s "
        f"for {spike.get('spike_s')} s;\n"
        f"backlog {spike.get('backlog_at_spike_end')} cleared in {spike.get('backlog_cleared_s')} s "
        f"(at least {spike.get('drain_rate_per_s')} orders/s), queue empty after {spike.get('drain_s')} s;\n"
        f"longest stall {spike.get('longest_stall_s')} s; "
        f"{spike.get('confirmed_per_s_in_spike')} confirmed/s through the spike"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
