"""The back office of peak campaigns (docs/DESIGN.md section 12): a campaign with its
products and caps, saved through orders.campaigns.save_campaign, as through the staff
API; a warning naming the routes that do not deliver on its date; read-only once a run
has been committed; and the buttons to the allocation's pages (orders.allocation_admin).
Registered by orders.admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from config.admin import ViewOnlyMixin
from config.errors import DomainError
from orders.allocation_admin import AllocationPagesMixin
from orders.campaigns import (
    campaign_code_problems,
    campaign_problems,
    campaign_product_problems,
    routes_not_delivering,
    save_campaign,
)
from orders.models import Campaign, CampaignProduct

RUN_PERMISSION = "orders.run_allocation"


class CampaignForm(forms.ModelForm):
    """The campaign's header, checked by the rules save_campaign applies, each problem
    on its field."""

    class Meta:
        model = Campaign
        fields = ["code", "name", "delivery_date", "opens_at", "closes_at"]

    # The window's "required" problem is named on closes_at for both its ends.
    REQUIRED_TOGETHER = {"closes_at": ("opens_at", "closes_at")}

    def clean_code(self):
        code = self.cleaned_data["code"]
        for problem in campaign_code_problems(code):
            raise ValidationError(problem["detail"], code=problem["code"])
        return code

    def clean(self):
        data = super().clean()
        problems = campaign_problems(
            name=data.get("name", ""),
            delivery_date=data.get("delivery_date"),
            opens_at=data.get("opens_at"),
            closes_at=data.get("closes_at"),
        )
        for problem in problems:
            # A field Django already refused (empty, not a date) is not refused twice.
            if problem["code"] == "required" and any(
                self.has_error(name) for name in self.REQUIRED_TOGETHER.get(problem["field"], (problem["field"],))
            ):
                continue
            self.add_error(problem["field"], problem["detail"])
        return data


class CampaignProductFormSet(BaseInlineFormSet):
    """The campaign's products, checked by save_campaign's rule: each problem on the
    product or cap it names, and the list's own (none at all) above the inline."""

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.is_valid() and form.cleaned_data.get("product") and not self._should_delete_form(form)
        ]

    def products(self) -> list[dict]:
        return [
            {"sku": form.cleaned_data["product"].sku, "cap_per_partner": form.cleaned_data.get("cap_per_partner")}
            for form in self.kept_forms()
        ]

    def clean(self):
        kept = self.kept_forms()
        for problem in campaign_product_problems(self.products()):
            if "line" not in problem:
                raise ValidationError(problem["detail"], code=problem["code"])
            field = "cap_per_partner" if problem["code"] == "invalid_cap" else "product"
            kept[problem["line"] - 1].add_error(field, problem["detail"])

    def validate_unique(self):
        # A product listed twice is the rule's "listed twice", named on its line above.
        pass


class CampaignProductInline(admin.TabularInline):
    model = CampaignProduct
    formset = CampaignProductFormSet
    fields = ["product", "cap_per_partner"]
    autocomplete_fields = ["product"]
    extra = 3

    # The products are part of the campaign, saved with it through save_campaign: who
    # may change the campaign may change them, until its first committed run.
    def _may_edit(self, request, obj) -> bool:
        if obj is None:
            return request.user.has_perm("orders.add_campaign")
        return request.user.has_perm("orders.change_campaign") and not obj.is_allocated

    def has_add_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_campaign")


@admin.register(Campaign)
class CampaignAdmin(AllocationPagesMixin, admin.ModelAdmin):
    """A campaign is written by orders.campaigns.save_campaign, its header and products
    at once; its code names it to the API and the portal, so it is fixed once made.
    After its first committed run it is history: read-only."""

    form = CampaignForm
    inlines = [CampaignProductInline]
    list_display = ["code", "name", "delivery_date", "opens_at", "closes_at", "allocated", "runs_link"]
    list_filter = ["delivery_date", ("first_committed_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    date_hierarchy = "delivery_date"
    actions = ["dry_run_allocation", "commit_allocation"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["first_committed_at"]
        return ["code", "first_committed_at"]

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "delivery_date", "opens_at", "closes_at"]
        return fields if obj is None else [*fields, "first_committed_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_allocated:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_allocated:
            return False
        return super().has_delete_permission(request, obj)

    def has_run_allocation_permission(self, request, obj=None):
        return request.user.has_perm(RUN_PERMISSION)

    @admin.display(description="allocated", boolean=True, ordering="first_committed_at")
    def allocated(self, campaign):
        return campaign.is_allocated

    @admin.display(description="allocation")
    def runs_link(self, campaign):
        if not campaign.is_allocated:
            return "-"
        return format_html('<a href="{}">runs</a>', reverse("admin:orders_campaign_runs", args=[campaign.pk]))

    # Saving: the form and the inline were checked by the service's own rules; the
    # service checks again under its lock and writes the campaign with its products.
    def save_model(self, request, obj, form, change):
        """Nothing yet: save_related saves the campaign with its products at once."""

    def save_related(self, request, form, formsets, change):
        products = next(f for f in formsets if isinstance(f, CampaignProductFormSet)).products()
        data = form.cleaned_data
        campaign, _ = save_campaign(
            code=form.instance.code,
            name=data["name"],
            delivery_date=data["delivery_date"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            products=products,
        )
        form.instance.pk, form.instance.updated_at = campaign.pk, campaign.updated_at
        form.instance._state.adding = False
        self.warn_of_routes(request, campaign)

    def warn_of_routes(self, request, campaign) -> None:
        missing = routes_not_delivering(campaign.delivery_date)
        if missing:
            self.message_user(
                request,
                f"Saved, but route(s) {', '.join(missing)} do not deliver on "
                f"{campaign.delivery_date:%a %d %b %Y}: addresses they serve get no delivery for "
                f"{campaign.code}. Add a route exception to make it a delivery day on them.",
                messages.WARNING,
            )

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline is saved by the service, not by the formset: name what changed.
        if add:
            return [{"added": {}}]
        changed = list(form.changed_data) + (["products"] if any(f.has_changed() for f in formsets) else [])
        return [{"changed": {"fields": changed}}]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            # The service refused what the form's checks let through (a run committed
            # meanwhile): the transaction is rolled back; say why instead of a 500.
            self.message_user(request, f"Nothing was saved: {error.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "may_run_allocation": self.has_run_allocation_permission(request)}
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self):
        return [*self.allocation_urls(), *super().get_urls()]

    def _one_campaign(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one campaign for an allocation run.", messages.ERROR)
            return None
        return queryset.get()

    @admin.action(description="Dry run allocation (shows the result, writes nothing)", permissions=["run_allocation"])
    def dry_run_allocation(self, request, queryset):
        campaign = self._one_campaign(request, queryset)
        if campaign is not None:
            return HttpResponseRedirect(reverse("admin:orders_campaign_dry_run", args=[campaign.pk]))
        return None

    @admin.action(description="Run and commit allocation (asks to confirm)", permissions=["run_allocation"])
    def commit_allocation(self, request, queryset):
        campaign = self._one_campaign(request, queryset)
        if campaign is not None:
            return HttpResponseRedirect(reverse("admin:orders_campaign_commit", args=[campaign.pk]))
        return None


@admin.register(CampaignProduct)
class CampaignProductAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Every campaign's products and caps at a glance; they are changed on their campaign."""

    list_display = ["campaign", "product", "cap_per_partner"]
    list_filter = [("campaign", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["campaign__code", "product__sku"]
    list_select_related = ["campaign", "product"]
