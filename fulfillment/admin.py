"""The back office of delivery routes (docs/DESIGN.md section 10): routes with their
exceptions, a month view of each that the promise itself computes
(fulfillment.route_month), a run of exceptions set at once, and which route serves each
ship-to address; and shipments, which it only shows.

The ship-to addresses are registered here, not in partners/admin.py: a new address
gets its partner's home route (fulfillment.routes.home_route_of), which partners,
below fulfillment, may not import."""

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from config.admin import ViewOnlyMixin
from fulfillment.admin_forms import (
    WEEKDAY_CHOICES,
    ExceptionsForDatesForm,
    RouteForm,
    month_after,
    parse_month,
)
from fulfillment.exceptions import CalendarError, RouteNotFoundError
from fulfillment.models import Route, RouteException, Shipment, ShipmentLine
from fulfillment.route_month import month_of_route, weekdays_text
from fulfillment.routes import home_route_of, set_exceptions_for_dates, upsert_route
from partners.models import ShipToAddress


class RouteExceptionInline(admin.TabularInline):
    # Saved through the model: its signal tells every process's calendar cache.
    model = RouteException
    fields = ["date", "delivers", "order_by_time", "note"]
    extra = 0


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    """Routes are written by fulfillment.routes.upsert_route, as through the API; the
    code names the route to the API and to imports, so it is fixed once made."""

    form = RouteForm
    list_display = [
        "code",
        "name",
        "warehouse",
        "time_zone",
        "weekdays",
        "order_by",
        "lead_days",
        "ship_to_count",
        "month_link",
    ]
    list_filter = ["warehouse"]
    search_fields = ["code", "name"]
    list_select_related = ["warehouse"]
    inlines = [RouteExceptionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(ship_to_count=Count("ship_tos"))

    def get_readonly_fields(self, request, obj=None):
        return ["code", "month_view"] if obj is not None else []

    @admin.display(description="time zone", ordering="warehouse__timezone")
    def time_zone(self, route):
        return route.warehouse.timezone

    @admin.display(description="delivers on")
    def weekdays(self, route):
        return weekdays_text(route.delivery_weekdays)

    @admin.display(description="order by", ordering="order_by_time")
    def order_by(self, route):
        return f"{route.order_by_time:%H:%M}"

    @admin.display(description="month")
    def month_link(self, route):
        return format_html('<a href="{}">month view</a>', reverse("admin:fulfillment_route_calendar", args=[route.pk]))

    @admin.display(description="ship-tos", ordering="ship_to_count")
    def ship_to_count(self, route):
        return route.ship_to_count

    @admin.display(description="calendar")
    def month_view(self, route):
        if route.pk is None:
            return ""
        return format_html(
            '<a href="{}">month view</a> · <a href="{}">add exceptions for a date range</a>',
            reverse("admin:fulfillment_route_calendar", args=[route.pk]),
            reverse("admin:fulfillment_route_exceptions_for_dates", args=[route.pk]),
        )

    def save_model(self, request, obj, form, change):
        route, _ = upsert_route(
            code=obj.code,
            name=obj.name,
            warehouse=obj.warehouse,
            delivery_weekdays=obj.delivery_weekdays,
            order_by_time=obj.order_by_time,
            lead_days=obj.lead_days,
        )
        obj.pk, obj.updated_at = route.pk, route.updated_at
        obj._state.adding = False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="fulfillment_route_calendar",
            ),
            path(
                "<path:object_id>/exceptions-for-dates/",
                self.admin_site.admin_view(self.exceptions_for_dates_view),
                name="fulfillment_route_exceptions_for_dates",
            ),
            *super().get_urls(),
        ]

    def _route_or_redirect(self, request, object_id):
        route = self.get_object(request, object_id)
        if route is None:
            return None, self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return route, None

    def _page(self, request, route, title: str, template: str, **context):
        return TemplateResponse(
            request,
            f"admin/fulfillment/route/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": route,
                "title": title,
                **context,
            },
        )

    def calendar_view(self, request, object_id):
        """The route's month (`?month=YYYY-MM`, default this month on its warehouse's clock)."""
        route, redirect = self._route_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not self.has_view_or_change_permission(request, route):
            raise PermissionDenied
        year, month, problem = parse_month(request.GET.get("month"))
        if problem:
            self.message_user(request, problem, messages.ERROR)
        try:
            shown = month_of_route(route_id=route.pk, year=year, month=month, now=timezone.now())
        except RouteNotFoundError:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return self._page(
            request,
            route,
            f"{route.code}: {date(shown.year, shown.month, 1):%B %Y}",
            "calendar.html",
            month=shown,
            weekday_names=[name[:3] for _, name in WEEKDAY_CHOICES],
            weekdays=weekdays_text(route.delivery_weekdays),
            previous_month=month_after(shown.year, shown.month, -1),
            next_month=month_after(shown.year, shown.month, 1),
            may_set_dates=self.has_set_dates_permission(request),
        )

    def has_set_dates_permission(self, request) -> bool:
        """Setting a run of dates adds some exceptions and changes others."""
        return request.user.has_perms(["fulfillment.add_routeexception", "fulfillment.change_routeexception"])

    def exceptions_for_dates_view(self, request, object_id):
        """Set one exception on every chosen weekday of a date range, through
        fulfillment.routes.set_exceptions_for_dates; a refusal names its field and sets nothing."""
        route, redirect = self._route_or_redirect(request, object_id)
        if redirect:
            return redirect
        if not self.has_set_dates_permission(request):
            raise PermissionDenied
        form = ExceptionsForDatesForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            dates = self._set_dates(request, route, form)
            if dates:
                target = reverse("admin:fulfillment_route_calendar", args=[route.pk])
                return HttpResponseRedirect(f"{target}?month={dates[0]:%Y-%m}")
        return self._page(
            request, route, f"{route.code}: add exceptions for a date range", "exceptions_for_dates.html", form=form
        )

    def _set_dates(self, request, route, form) -> list:
        data = form.cleaned_data
        try:
            dates = set_exceptions_for_dates(
                route=route,
                first=data["first"],
                last=data["last"],
                weekdays=data["weekdays"],
                delivers=data["delivers"],
                order_by_time=data["order_by_time"],
                note=data["note"],
            )
        except CalendarError as exc:
            for problem in exc.errors:
                form.add_error(problem["field"] if problem["field"] in form.fields else None, problem["detail"])
            return []
        if not dates:
            form.add_error(
                "weekdays", f"No date from {data['first']} to {data['last']} falls on these weekdays; nothing was set."
            )
            return []
        what = "a delivery day" if data["delivers"] else "a holiday"
        summary = f"{len(dates)} date(s) of {route.code} set as {what}: {', '.join(d.isoformat() for d in dates)}"
        self.log_change(request, route, summary)
        self.message_user(request, f"{summary}.", messages.SUCCESS)
        return dates


@admin.register(RouteException)
class RouteExceptionAdmin(admin.ModelAdmin):
    list_display = ["route", "date", "delivers", "order_by_time", "note"]
    list_filter = ["delivers", "route"]
    search_fields = ["route__code", "note"]
    list_select_related = ["route"]
    date_hierarchy = "date"


@admin.register(ShipToAddress)
class ShipToAddressAdmin(admin.ModelAdmin):
    """A ship-to address and the route that delivers to it. A new one without a route
    chosen gets its partner's home route (fulfillment.routes.home_route_of)."""

    list_display = ["partner", "label", "city", "country", "is_default", "route"]
    list_filter = ["country", "is_default", "route"]
    search_fields = ["partner__code", "label", "city", "postcode", "route__code"]
    list_select_related = ["partner", "route"]
    autocomplete_fields = ["partner"]
    fields = ["partner", "label", "line1", "line2", "postcode", "city", "country", "is_default", "route"]

    def get_readonly_fields(self, request, obj=None):
        # Who keeps routes (the Warehouse role) moves an address to another route; the
        # address itself is the partner's, changed by who may change partners.
        if obj is not None and not request.user.has_perm("partners.change_partner"):
            return [field for field in self.fields if field != "route"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "route":
            field.help_text = "Empty on a new address: the first route of the partner's home warehouse."
        return field

    def save_model(self, request, obj, form, change):
        if not change and obj.route_id is None:
            obj.route = home_route_of(obj.partner)
            if obj.route is None:
                self.message_user(
                    request,
                    f"route: {obj.partner.code}'s home warehouse has no route, so {obj.label} has none; "
                    "no order can be placed for it until one is chosen.",
                    messages.WARNING,
                )
        super().save_model(request, obj, form, change)


class ShipmentLineInline(ViewOnlyMixin, admin.TabularInline):
    model = ShipmentLine
    fields = ["order_line", "product", "quantity", "reservation_id"]
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Shipments are made by the journey and dispatched by the warehouse system."""

    list_display = ["id", "order", "warehouse", "status", "tracking_number", "created_at", "dispatched_at"]
    list_filter = ["status", "warehouse"]
    search_fields = ["=order__number", "tracking_number"]
    list_select_related = ["order", "warehouse"]
    date_hierarchy = "created_at"
    inlines = [ShipmentLineInline]


@admin.register(ShipmentLine)
class ShipmentLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "shipment", "product", "quantity", "reservation_id"]
    search_fields = ["=shipment__order__number", "product__sku"]
    list_select_related = ["shipment", "product"]
