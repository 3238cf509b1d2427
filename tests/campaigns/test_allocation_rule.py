"""The fair-share rule (orders.allocation), pure: DESIGN section 12's examples, the
freshness layers, the waitlist order, and a property test over random inputs."""

from hypothesis import given, settings
from hypothesis import strategies as st

from orders.allocation import Request, fair_share, serve_waitlist


def lines(*requested, tier=100, days=0):
    return [
        Request(line_id=i, requested=q, tier=tier, place=("2027-01-10", i, i), days=days)
        for i, q in enumerate(requested, 1)
    ]


def test_scarce_supply_is_shared_pro_rata_in_whole_case_packs():
    assert fair_share({0: 1000}, lines(600, 300, 300), 25) == {1: 500, 2: 250, 3: 250}


def test_stems_short_of_a_case_pack_stay_unallocated():
    assert fair_share({0: 1010}, lines(600, 300, 300), 25) == {1: 500, 2: 250, 3: 250}


def test_a_better_tier_is_served_first_and_the_rest_share_what_is_left_leftovers_in_pre_book_order():
    requests = [
        Request(1, 600, tier=1, place=("2027-01-12", 1, 1)),
        Request(2, 300, tier=100, place=("2027-01-11", 2, 2)),
        Request(3, 300, tier=100, place=("2027-01-10", 3, 3)),
    ]
    assert fair_share({0: 700}, requests, 25) == {1: 600, 2: 50, 3: 50}
    # 725 leaves 125 for 600 asked: 62.5 each rounds down to 50, and the one case pack
    # left goes to the earliest pre-book, line 3.
    assert fair_share({0: 725}, requests, 25) == {1: 600, 2: 50, 3: 75}


def test_requests_below_the_supply_are_granted_in_full():
    assert fair_share({0: 5000}, lines(600, 300, 300), 25) == {1: 600, 2: 300, 3: 300}


def test_a_strict_freshness_rule_shares_only_the_lots_fresh_enough_for_it():
    # 1,000 stems serve a florist wanting 3 days, only 200 of them a chain wanting 7.
    requests = [
        Request(1, 600, tier=100, place=("a", 1, 1), days=3),
        Request(2, 600, tier=100, place=("b", 2, 2), days=7),
    ]
    granted = fair_share({3: 1000, 7: 200}, requests, 25)
    assert granted == {2: 200, 1: 600}


def test_the_waitlist_is_served_in_pre_book_order_whole_packs_within_each_lines_freshness():
    waiting = [
        Request(1, 100, tier=1, place=("c", 1, 1), days=0),
        Request(2, 100, tier=100, place=("a", 2, 2), days=7),
        Request(3, 100, tier=100, place=("b", 3, 3), days=0),
    ]
    # 60 units, 10 of them fresh enough for 7 days. In packs of 20, line 2 (first in
    # line) can have none, line 3 takes three packs, and nothing is left for line 1.
    assert serve_waitlist({0: 60, 7: 10}, waiting, 20) == {2: 0, 3: 60, 1: 0}
    assert serve_waitlist({0: 60, 7: 10}, waiting, 10) == {2: 10, 3: 50, 1: 0}


@st.composite
def worlds(draw):
    pack = draw(st.integers(1, 50))
    count = draw(st.integers(1, 12))
    all_days = sorted(draw(st.sets(st.integers(0, 10), min_size=1, max_size=3)))
    requests = [
        Request(
            line_id=i,
            requested=draw(st.integers(1, 40)) * pack,
            tier=draw(st.sampled_from([1, 2, 100])),
            place=(draw(st.sampled_from(["a", "b", "c"])), i, i),
            days=draw(st.sampled_from(all_days)),
        )
        for i in range(1, count + 1)
    ]
    supply, units = {}, draw(st.integers(0, 3000))
    for days in all_days:  # fresher lots are a part of the others
        supply[days] = units
        units = draw(st.integers(0, units))
    return supply, requests, pack


def assert_feasible(supply, requests, granted, pack):
    for r in requests:
        assert 0 <= granted[r.line_id] <= r.requested
        assert granted[r.line_id] % pack == 0
    for days, units in supply.items():
        assert sum(granted[r.line_id] for r in requests if r.days >= days) <= units


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_fair_share_never_exceeds_supply_or_request_conserves_totals_and_repeats_itself(world):
    supply, requests, pack = world
    granted = fair_share(supply, requests, pack)
    assert set(granted) == {r.line_id for r in requests}
    assert_feasible(supply, requests, granted, pack)
    allocated = sum(granted.values())
    waitlisted = sum(r.requested - granted[r.line_id] for r in requests)
    assert allocated + waitlisted == sum(r.requested for r in requests)
    loosest = min(supply)
    if len(supply) == 1:
        # Nothing is left idle that a short line could take.
        assert supply[loosest] - allocated < pack or waitlisted == 0
    assert fair_share(supply, requests, pack) == granted


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_the_waitlist_never_exceeds_supply_or_what_waits(world):
    supply, requests, pack = world
    granted = serve_waitlist(supply, requests, pack)
    assert_feasible(supply, requests, granted, pack)
    assert serve_waitlist(supply, requests, pack) == granted
