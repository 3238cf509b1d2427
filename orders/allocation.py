"""The fair-share rule of a peak campaign (docs/DESIGN.md section 12), pure: no query,
no clock, so the same inputs give the same result and a stored run replays.

One product at a time. Supply is given per freshness rule: `supply[d]` is what the
lots that can serve the campaign's date for a partner wanting `d` days hold
(inventory.freshness decides; a lot fit for 5 days is fit for 3, so supply never
grows with `d`). Each request is one pre-book line.

The first run (`fair_share`) serves the partners tier by tier, lowest
`allocation_priority` first. A tier whose requests fit in what is left gets them in
full; otherwise each line gets floor(requested * left / total requested), rounded down
to the case pack, and the case packs still left go one at a time to the lines still
short, in pre-book order. Units less than a case pack stay unallocated.

When a stricter partner's fair share would need fresher lots than there are, the
partners wanting at least those days share the fresh lots among themselves by the
same rule, and everyone else shares the rest: the result never allocates a unit no
lot can serve.

Later runs (`serve_waitlist`) serve what waits strictly in pre-book order, whole case
packs, each line as far as the supply fit for it allows."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Request:
    """A pre-book line asking for `requested` units (on the waitlist: what still waits)."""

    line_id: int
    requested: int
    tier: int  # the partner's allocation_priority: lower is served first
    place: tuple  # the pre-book order: (pre-book created_at as ISO text, pre-book id, line id)
    days: int = 0  # the days of life the partner's freshness rule requires at delivery


def in_line_order(requests: Iterable[Request]) -> list[Request]:
    return sorted(requests, key=lambda r: r.place)


def in_whole_packs(requests: Sequence[Request], case_pack: int) -> list[Request]:
    """The requests rounded down to whole case packs (a pack changed since they were
    made must not let a share off the pack)."""
    return [
        r if r.requested % case_pack == 0 else replace(r, requested=r.requested // case_pack * case_pack)
        for r in requests
    ]


def share_in_tiers(supply: int, requests: Sequence[Request], case_pack: int) -> dict[int, int]:
    """The tiered pro-rata rule over one pool of `supply` units; units by line id."""
    requests = in_whole_packs(requests, case_pack)
    granted = {r.line_id: 0 for r in requests}
    left = supply
    for tier in sorted({r.tier for r in requests}):
        lines = in_line_order(r for r in requests if r.tier == tier)
        total = sum(r.requested for r in lines)
        if total <= left:
            for r in lines:
                granted[r.line_id] = r.requested
            left -= total
            continue
        for r in lines:
            granted[r.line_id] = (r.requested * left // total) // case_pack * case_pack
        left -= sum(granted[r.line_id] for r in lines)
        left = _hand_out_leftover_packs(lines, granted, left, case_pack)
    return granted


def _hand_out_leftover_packs(lines: Sequence[Request], granted: dict[int, int], left: int, case_pack: int) -> int:
    """Give the case packs still left one at a time to the lines still short, in
    pre-book order, round after round; return what is left (less than a case pack, or
    nobody is short)."""
    while left >= case_pack:
        gave = False
        for r in lines:
            if left < case_pack:
                break
            if granted[r.line_id] + case_pack <= r.requested:
                granted[r.line_id] += case_pack
                left -= case_pack
                gave = True
        if not gave:
            break
    return left


def fair_share(supply: Mapping[int, int], requests: Sequence[Request], case_pack: int) -> dict[int, int]:
    """The first run's allocation of one product, by line id. `supply` holds an entry
    for every `days` among the requests."""
    if not requests:
        return {}
    days = sorted({r.days for r in requests})
    granted = share_in_tiers(max(supply[days[0]], 0), requests, case_pack)
    # The strictest rule whose partners were given more than its lots hold, if any.
    for threshold in reversed(days[1:]):
        strict = [r for r in requests if r.days >= threshold]
        if sum(granted[r.line_id] for r in strict) <= supply[threshold]:
            continue
        strict_share = fair_share(supply, strict, case_pack)
        used = sum(strict_share.values())
        others = [r for r in requests if r.days < threshold]
        rest = {d: supply[d] - used for d in days if d < threshold}
        return {**strict_share, **fair_share(rest, others, case_pack)}
    return granted


def serve_waitlist(supply: Mapping[int, int], waiting: Sequence[Request], case_pack: int) -> dict[int, int]:
    """A later run's allocation of one product, by line id: each waiting line in
    pre-book order gets as many whole case packs as it waits for and the lots fit for
    it can still give (after the lines before it)."""
    waiting = in_whole_packs(waiting, case_pack)
    days = sorted({r.days for r in waiting})
    used = dict.fromkeys(days, 0)  # units given to lines wanting at least d days
    granted: dict[int, int] = {}
    for r in in_line_order(waiting):
        room = min(supply[d] - used[d] for d in days if d <= r.days)
        give = min(r.requested, max(room, 0)) // case_pack * case_pack
        granted[r.line_id] = give
        for d in days:
            if d <= r.days:
                used[d] += give
    return granted
