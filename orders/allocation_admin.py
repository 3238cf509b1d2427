"""The allocation's pages in the back office (docs/DESIGN.md section 12), on a campaign:
the dry run (orders.campaign_runs.run_allocation with dry_run, which writes nothing),
committing a run after a confirmation (POST, the permission orders.run_allocation),
and a run's page: per product the supply under each freshness rule and what each tier
requested and was allocated, the fill rate per partner, as tables and as bars drawn
server-side (the admin's Content-Security-Policy refuses inline script and style),
where each line stands, and the stored inputs. Committed runs and their allocations
are also listed read-only."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from config.admin import ViewOnlyMixin
from config.errors import DomainError
from orders.allocation_report import RunReport, report_run
from orders.campaign_runs import run_allocation
from orders.campaign_standings import LineStanding, line_standings
from orders.models import Allocation, AllocationRun, Campaign
from partners.models import ShipToAddress


def bar_percent(units: int, scale: int) -> int:
    """A bar's length as a whole percentage of the chart's longest (at least 1 for
    anything above nothing, so a small figure still shows)."""
    if not scale or units <= 0:
        return 0
    return max(1, min(100, units * 100 // scale))


def product_chart(report: RunReport) -> list[dict]:
    """Per product, bars for its supply and for each tier's requested and allocated,
    all to one scale per product."""
    charts = []
    for product in report.products:
        scale = max(product.most_supply, product.requested, 1)
        rows = [{"label": "supply", "units": product.most_supply, "kind": "supply"}]
        for tier in product.tiers:
            rows.append({"label": f"tier {tier.tier} requested", "units": tier.requested, "kind": "requested"})
            rows.append({"label": f"tier {tier.tier} allocated", "units": tier.allocated, "kind": "allocated"})
        for row in rows:
            row["percent"] = bar_percent(row["units"], scale)
        charts.append({"sku": product.sku, "rows": rows})
    return charts


def line_rows(inputs: dict, granted: dict[int, int], standings: list[LineStanding]) -> list[dict]:
    """Each open line of the campaign: what this run was asked and gave, and where the
    line stands (now, or after the run for a dry run)."""
    asked = {request["line"]: request["requested"] for request in inputs["requests"]}
    labels = dict(ShipToAddress.objects.filter(id__in={s.ship_to_id for s in standings}).values_list("id", "label"))
    return [
        {
            "standing": standing,
            "ship_to": labels.get(standing.ship_to_id, standing.ship_to_id),
            "asked": asked.get(standing.line_id),
            "granted": granted.get(standing.line_id, 0) if standing.line_id in asked else None,
        }
        for standing in standings
    ]


class AllocationPagesMixin:
    """The allocation's pages of CampaignAdmin, under each campaign's address."""

    def allocation_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/allocation/dry-run/", view(self.dry_run_view), name="orders_campaign_dry_run"),
            path("<path:object_id>/allocation/commit/", view(self.commit_view), name="orders_campaign_commit"),
            path("<path:object_id>/runs/", view(self.latest_run_view), name="orders_campaign_runs"),
            path("<path:object_id>/runs/<int:number>/", view(self.run_view), name="orders_campaign_run"),
        ]

    def _campaign(self, request, object_id, *, to_run: bool) -> Campaign:
        campaign = self.get_object(request, object_id)
        if campaign is None or not self.has_view_permission(request, campaign):
            raise PermissionDenied
        if to_run and not self.has_run_allocation_permission(request):
            raise PermissionDenied
        return campaign

    def _back_to(self, campaign) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:orders_campaign_change", args=[campaign.pk]))

    def _page(self, request, campaign, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/orders/campaign/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": campaign,
                "title": title,
                "may_run_allocation": self.has_run_allocation_permission(request),
                "may_view_orders": request.user.has_perm("orders.view_order"),
                **context,
            },
        )

    def _run_context(self, inputs: dict, granted: dict[int, int], standings: list[LineStanding]) -> dict:
        report = report_run(inputs, granted)
        fill_scale = 100
        return {
            "report": report,
            "kind_label": AllocationRun.Kind(report.kind).label,
            "product_chart": product_chart(report),
            "partner_chart": [
                {"fill": fill, "percent": bar_percent(int(fill.fill_percent or 0), fill_scale)}
                for fill in report.partners
            ],
            "lines": line_rows(inputs, granted, standings),
            "inputs_json": json.dumps(inputs, indent=1, sort_keys=True),
        }

    def dry_run_view(self, request, object_id):
        """What a run would give now; nothing is written."""
        campaign = self._campaign(request, object_id, to_run=True)
        try:
            outcome = run_allocation(campaign=campaign.code, dry_run=True, actor=request.user.get_username())
        except DomainError as error:
            self.message_user(request, f"No dry run: {error.message}", messages.ERROR)
            return self._back_to(campaign)
        context = self._run_context(outcome.inputs, outcome.granted, outcome.standings_after)
        return self._page(
            request, campaign, "run.html", f"{campaign.code}: dry run of the allocation", dry_run=True, **context
        )

    def commit_view(self, request, object_id):
        """GET: what the run would give, and a button to commit it. POST: commit it,
        unless a run was committed since the page was shown (a second click)."""
        campaign = self._campaign(request, object_id, to_run=True)
        latest = campaign.runs.aggregate(last=Max("number"))["last"] or 0
        if request.method == "POST":
            return self._commit(request, campaign, latest)
        try:
            outcome = run_allocation(campaign=campaign.code, dry_run=True, actor=request.user.get_username())
        except DomainError as error:
            self.message_user(request, f"Nothing to commit: {error.message}", messages.ERROR)
            return self._back_to(campaign)
        return self._page(
            request,
            campaign,
            "commit.html",
            f"{campaign.code}: commit the allocation",
            report=report_run(outcome.inputs, outcome.granted),
            after_run=latest,
            window_open=not campaign.is_allocated and timezone.now() <= campaign.closes_at,
        )

    def _commit(self, request, campaign, latest: int):
        if request.POST.get("after_run") != str(latest):
            self.message_user(
                request,
                f"Run {latest} of {campaign.code} was committed since that page was shown; nothing was run "
                "again. Look at it, and run again if something still waits.",
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:orders_campaign_run", args=[campaign.pk, latest]))
        try:
            outcome = run_allocation(campaign=campaign.code, dry_run=False, actor=request.user.get_username())
        except DomainError as error:
            self.message_user(request, f"Not committed: {error.message}", messages.ERROR)
            return self._back_to(campaign)
        if outcome.run is None:
            self.message_user(
                request,
                f"Nothing new to allocate for {campaign.code}: the supply serves none of the lines that wait. "
                "No run was recorded.",
                messages.INFO,
            )
            return self._back_to(campaign)
        numbers = ", ".join(outcome.order_numbers)
        self.log_change(request, campaign, f"committed allocation run {outcome.number}: orders {numbers}")
        self.message_user(
            request,
            f"Run {outcome.number} committed: {len(outcome.order_numbers)} order(s), {numbers}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:orders_campaign_run", args=[campaign.pk, outcome.number]))

    def latest_run_view(self, request, object_id):
        campaign = self._campaign(request, object_id, to_run=False)
        latest = campaign.runs.aggregate(last=Max("number"))["last"]
        if latest is None:
            self.message_user(request, f"{campaign.code} has no committed run yet.", messages.INFO)
            return self._back_to(campaign)
        return HttpResponseRedirect(reverse("admin:orders_campaign_run", args=[campaign.pk, latest]))

    def run_view(self, request, object_id, number):
        """A committed run as stored: what it saw and gave; the lines as they stand now."""
        campaign = self._campaign(request, object_id, to_run=False)
        run = campaign.runs.filter(number=number).first()
        if run is None:
            self.message_user(request, f"{campaign.code} has no run {number}.", messages.WARNING)
            return self._back_to(campaign)
        granted = {int(line): units for line, units in run.result.items()}
        orders = (
            Allocation.objects.filter(run=run)
            .values("order_id", "order__number", "order__status", "order__partner__code", "order__ship_to__label")
            .annotate(units=Sum("quantity"))
            .order_by("order__number")
        )
        return self._page(
            request,
            campaign,
            "run.html",
            f"{campaign.code}: allocation run {run.number}",
            run=run,
            runs=list(campaign.runs.values_list("number", flat=True)),
            orders=orders,
            **self._run_context(run.inputs, granted, line_standings(campaign)),
        )


@admin.register(AllocationRun)
class AllocationRunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Committed runs, as stored: what each saw and gave. Made only by run_allocation."""

    list_display = ["campaign", "number", "kind", "actor", "created_at", "order_count", "page"]
    list_filter = ["kind", ("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["campaign__code", "actor"]
    list_select_related = ["campaign"]
    date_hierarchy = "created_at"
    fields = ["campaign", "number", "kind", "actor", "created_at", "page", "inputs_shown", "result_shown"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(order_count=Count("allocations__order", distinct=True))

    @admin.display(description="orders", ordering="order_count")
    def order_count(self, run):
        return run.order_count

    @admin.display(description="run page")
    def page(self, run):
        url = reverse("admin:orders_campaign_run", args=[run.campaign_id, run.number])
        return format_html('<a href="{}">supply, tiers and fill rates</a>', url)

    @admin.display(description="inputs (what it saw)")
    def inputs_shown(self, run):
        return format_html("<pre>{}</pre>", json.dumps(run.inputs, indent=1, sort_keys=True))

    @admin.display(description="result (units by pre-book line)")
    def result_shown(self, run):
        return format_html("<pre>{}</pre>", json.dumps(run.result, indent=1, sort_keys=True))


@admin.register(Allocation)
class AllocationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """What each committed run gave each pre-book line, and the order it went into."""

    list_display = ["run", "line", "partner", "sku", "quantity", "order"]
    list_filter = [("run__campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=order__number", "run__campaign__code", "line__prebook__partner__code", "line__product__sku"]
    list_select_related = ["run__campaign", "line__prebook__partner", "line__product", "order"]

    @admin.display(description="partner", ordering="line__prebook__partner__code")
    def partner(self, allocation):
        return allocation.line.prebook.partner.code

    @admin.display(description="SKU", ordering="line__product__sku")
    def sku(self, allocation):
        return allocation.line.product.sku
