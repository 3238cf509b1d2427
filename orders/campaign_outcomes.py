"""Where each pre-book line stands after an allocation run (docs/DESIGN.md section
12), for whoever shows a run's result: committed, as the run left it; dry, as it would
leave it, so that a preview reads exactly as the commit will."""

from dataclasses import replace

from orders.campaign_runs import RunOutcome
from orders.campaign_standings import LineStanding


def standings_after(outcome: RunOutcome) -> list[LineStanding]:
    """Every open line of the run's campaign in pre-book order, with `allocated`
    counting every committed run and this one. For a dry run, what this run would
    grant is added, and what would still wait is waitlisted and placed in line (a
    campaign is allocated once a run commits, so its lines then wait)."""
    if not outcome.dry_run:
        return list(outcome.standings)
    after = []
    in_line: dict[int, int] = {}
    for standing in outcome.standings:
        allocated = standing.allocated + outcome.granted.get(standing.line_id, 0)
        waiting = max(standing.requested - allocated - standing.forfeited, 0)
        position = None
        if waiting:
            position = in_line[standing.product_id] = in_line.get(standing.product_id, 0) + 1
        after.append(replace(standing, allocated=allocated, waitlisted=waiting, waitlist_position=position))
    return after
