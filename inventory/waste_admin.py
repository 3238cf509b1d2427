"""The back office's waste page: what expired unsold, by product and ISO week, with its
value at list price and a bar per week (docs/DESIGN.md section 11). Reads only; the
figures come from inventory.waste."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from inventory.waste import WasteRow, waste_by_product_and_week, waste_weeks

WASTE_PERMISSION = "inventory.view_waste_report"
DEFAULT_WEEKS, MAX_WEEKS = 8, 104


@dataclass(frozen=True)
class WeekBar:
    week: date
    quantity: int
    value: Decimal
    percent: int  # of the costliest week shown, for the bar's width

    @property
    def iso_week(self) -> str:
        year, week, _ = self.week.isocalendar()
        return f"{year}-W{week:02d}"


def parse_weeks(raw: str | None) -> tuple[int, str | None]:
    """The `weeks` asked for, or the default and why the value given cannot be used."""
    if raw is None or raw == "":
        return DEFAULT_WEEKS, None
    if raw.isdigit() and 1 <= int(raw) <= MAX_WEEKS:
        return int(raw), None
    return DEFAULT_WEEKS, f"weeks must be a whole number from 1 to {MAX_WEEKS}; got {raw!r}. Showing {DEFAULT_WEEKS}."


def week_bars(rows: list[WasteRow], since: date, weeks: int) -> list[WeekBar]:
    """One bar per week from `since`, weeks without waste included."""
    mondays = [since + timedelta(weeks=n) for n in range(weeks)]
    totals = {monday: [0, Decimal("0")] for monday in mondays}
    for row in rows:
        totals[row.week][0] += row.quantity
        totals[row.week][1] += row.value
    costliest = max((value for _, value in totals.values()), default=Decimal("0"))
    return [
        WeekBar(monday, qty, value, int(value * 100 / costliest) if costliest else 0)
        for monday, (qty, value) in totals.items()
    ]


def waste_report_view(model_admin, request):
    """The waste of the last `?weeks=` ISO weeks (default 8), this week included."""
    if not request.user.has_perm(WASTE_PERMISSION):
        raise PermissionDenied
    weeks, problem = parse_weeks(request.GET.get("weeks"))
    if problem:
        model_admin.message_user(request, problem, messages.ERROR)
    since, until = waste_weeks(weeks)
    rows = waste_by_product_and_week(since, until)
    return TemplateResponse(
        request,
        "admin/inventory/waste_report.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": "Waste: what expired unsold",
            "weeks": weeks,
            "since": since,
            "until": until,
            "rows": rows,
            "bars": week_bars(rows, since, weeks),
            "total_quantity": sum(row.quantity for row in rows),
            "total_value": sum((row.value for row in rows), Decimal("0")),
        },
    )
