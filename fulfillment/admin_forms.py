"""The forms of the routes' back office (fulfillment/admin.py): a route with its
weekdays as checkboxes, a month to show, and a run of dates to set at once. They parse
and name the field at fault; the rules they ask are fulfillment.routes'."""

import re

from django import forms

from fulfillment.models import Route
from fulfillment.routes import MAX_DATES_AT_ONCE, route_code_problems, weekday_problems

WEEKDAY_CHOICES = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
]
# The months the month view shows: wide enough for any plan, narrow enough that a
# date less the lead days stays a date.
FIRST_YEAR, LAST_YEAR = 2000, 2999
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


class WeekdaysField(forms.TypedMultipleChoiceField):
    """ISO weekdays (1 is Monday) as a row of checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, name: str, **kwargs):
        super().__init__(
            choices=WEEKDAY_CHOICES,
            coerce=int,
            error_messages={
                "required": f"{name}: choose at least one weekday.",
                "invalid_choice": f"{name}: %(value)s is not an ISO weekday (1 is Monday, 7 Sunday).",
            },
            **kwargs,
        )


def raise_weekday_problems(weekdays: list[int], field: str) -> None:
    problems = weekday_problems(weekdays, field=field)
    if problems:
        raise forms.ValidationError(problems[0]["detail"], code=problems[0]["code"])


class RouteForm(forms.ModelForm):
    delivery_weekdays = WeekdaysField(name="delivery_weekdays", label="Delivery weekdays")

    class Meta:
        model = Route
        fields = ["code", "name", "warehouse", "delivery_weekdays", "order_by_time", "lead_days"]

    def clean_code(self):
        code = self.cleaned_data["code"]
        for problem in route_code_problems(code):
            raise forms.ValidationError(problem["detail"], code=problem["code"])
        return code

    def clean_delivery_weekdays(self):
        weekdays = self.cleaned_data["delivery_weekdays"]
        raise_weekday_problems(weekdays, "delivery_weekdays")
        return sorted(weekdays)


def parse_month(text: str | None) -> tuple[int | None, int | None, str | None]:
    """Return (year, month, None) for "YYYY-MM"; (None, None, None) when empty (this
    month); (None, None, the problem naming the `month` parameter) otherwise."""
    if not text:
        return None, None, None
    match = MONTH_PATTERN.fullmatch(text.strip())
    year, month = (int(match[1]), int(match[2])) if match else (0, 0)
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        problem = (
            f"month {text!r} is not a month from {FIRST_YEAR}-01 to {LAST_YEAR}-12 written YYYY-MM, such as 2027-02"
        )
        return None, None, f"{problem}; showing this month."
    return year, month, None


def month_after(year: int, month: int, step: int) -> str | None:
    """Return "YYYY-MM" `step` months on (back when negative), None past the shown years."""
    index = year * 12 + month - 1 + step
    following_year, following_month = divmod(index, 12)
    if not FIRST_YEAR <= following_year <= LAST_YEAR:
        return None
    return f"{following_year:04d}-{following_month + 1:02d}"


class ExceptionsForDatesForm(forms.Form):
    """A run of dates with the same exception: a peak week, or a holiday season.
    fulfillment.routes.set_exceptions_for_dates judges the range and the weekdays."""

    DELIVERS_CHOICES = [("no", "No delivery (a holiday)"), ("yes", "Delivery (also on days the route skips)")]

    first = forms.DateField(label="First date", widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(
        label="Last date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"Inclusive; at most {MAX_DATES_AT_ONCE} days from the first.",
    )
    weekdays = WeekdaysField(name="weekdays", label="On these weekdays")
    delivers = forms.TypedChoiceField(
        label="The route", choices=DELIVERS_CHOICES, coerce=lambda value: value == "yes", widget=forms.RadioSelect
    )
    order_by_time = forms.TimeField(
        required=False,
        label="Own order-by time",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="For delivery days only, on the warehouse's clock; empty: the route's. A holiday has none.",
    )
    note = forms.CharField(required=False, max_length=100, help_text="Such as “Valentine's week”.")
