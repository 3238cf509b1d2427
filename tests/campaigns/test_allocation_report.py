"""The summary of an allocation run the back office shows (orders.allocation_report):
per product the supply and each tier's figures, per partner the fill rate, and where
the lines would stand after a dry run; built from the run's inputs and result alone."""

from datetime import UTC, datetime
from decimal import Decimal

from orders.allocation_report import fill_percent, report_run
from orders.campaign_standings import LineStanding, standings_after_grant

AT = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def request(line, partner, requested, tier=100, product=7, days=3):
    return {"line": line, "prebook": line, "partner": partner, "ship_to": 1, "product": product, "sku": f"SKU{product}",
            "requested": requested, "tier": tier, "place": [AT.isoformat(), line, line], "days": days}  # fmt: skip


INPUTS = {
    "kind": "fair_share",
    "products": {"7": {"case_pack": 25, "supply": {"3": 700, "5": 500}}},
    "requests": [request(1, "ALPHA", 600, tier=50), request(2, "BETA", 300, days=5), request(3, "GAMMA", 300)],
}


def test_sums_supply_tiers_and_fill_rates_from_the_inputs_and_result():
    report = report_run(INPUTS, {1: 600, 2: 50, 3: 50})

    [product] = report.products
    assert (product.sku, product.case_pack, product.supply, product.most_supply) == (
        "SKU7",
        25,
        ((3, 700), (5, 500)),
        700,
    )
    assert [(t.tier, t.partners, t.requested, t.allocated) for t in product.tiers] == [
        (50, ("ALPHA",), 600, 600),
        (100, ("BETA", "GAMMA"), 600, 100),
    ]
    assert (product.requested, product.allocated, product.unallocated) == (1200, 700, 0)
    assert [(p.partner, p.tier, p.fill_percent) for p in report.partners] == [
        ("ALPHA", 50, Decimal("100.0")),
        ("BETA", 100, Decimal("16.6")),
        ("GAMMA", 100, Decimal("16.6")),
    ]


def test_a_fill_rate_rounds_down_so_that_short_never_reads_as_full():
    assert fill_percent(9999, 10000) == Decimal("99.9")
    assert fill_percent(0, 0) is None


def standing(line, partner, requested, allocated=0, forfeited=0, product=7):
    return LineStanding(line, line, line, partner, 1, product, f"SKU{product}", 25, requested, allocated, forfeited, 0,
                        None, AT)  # fmt: skip


def test_a_dry_runs_projection_waitlists_what_is_not_given_in_pre_book_order():
    standings = [standing(1, "ALPHA", 600), standing(2, "BETA", 300, forfeited=100), standing(3, "GAMMA", 300),
                 standing(4, "ALPHA", 50, product=8)]  # fmt: skip

    after = standings_after_grant(standings, {1: 500, 2: 200, 3: 250, 4: 50})

    assert [(s.allocated, s.waitlisted, s.waitlist_position) for s in after] == [
        (500, 100, 1),
        (200, 0, None),  # its forfeited units are not waited for again
        (250, 50, 2),
        (50, 0, None),
    ]
