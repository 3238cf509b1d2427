from django.contrib import admin, messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from import_export.admin import ImportExportModelAdmin

from config.admin import BackOfficeImportExportMixin
from config.stripe_links import mirrored_link
from partners.models import ApiToken, CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress
from partners.resources import PartnerPriceResource, PartnerResource
from partners.tokens import issue_api_token, revoke_api_tokens


def create_api_tokens(model_admin, request, users):
    """Give each user a new API token and answer with a page that shows the keys, this
    once: they are stored hashed, never put in a message (a cookie) or a log, and the
    page is not cached. A user's earlier tokens keep working until revoked."""
    if not users:
        model_admin.message_user(request, "The selected partners have no users.", messages.WARNING)
        return None
    label = f"issued in the admin by {request.user.get_username()}"
    issued = []
    for user in users:
        issued.append((user, issue_api_token(user=user, label=label)))
        model_admin.log_change(
            request, user.membership if hasattr(user, "membership") else user, "created an API token"
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "New API tokens",
        "opts": model_admin.model._meta,
        "issued": issued,
    }
    response = TemplateResponse(request, "admin/partners/apitoken/issued.html", context)
    add_never_cache_headers(response)
    return response


class IssuesTokensMixin:
    """Issuing an API token hands out a user's powers to a machine: it needs the right to
    add tokens, not merely to change partners or memberships."""

    def has_issue_token_permission(self, request):
        return request.user.has_perm("partners.add_apitoken")


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0
    show_change_link = True


class ShipToInline(admin.TabularInline):
    """The partner's addresses, each with the route that delivers to it. New addresses
    and their routes are made under Ship-to addresses (registered by fulfillment/admin.py,
    which gives a new one its partner's home route: this app may not import routes)."""

    model = ShipToAddress
    fields = ["label", "line1", "line2", "postcode", "city", "country", "is_default", "route"]
    readonly_fields = ["route"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CreditInline(admin.StackedInline):
    model = CreditAccount
    fields = ["credit_limit", "open_balance", "headroom"]
    # The open balance moves with on-account orders only.
    readonly_fields = ["open_balance", "headroom"]
    can_delete = False


class PriceInline(admin.TabularInline):
    model = PartnerPrice
    fields = ["product", "min_quantity", "unit_price", "updated_at"]
    readonly_fields = ["updated_at"]
    autocomplete_fields = ["product"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(IssuesTokensMixin, BackOfficeImportExportMixin, ImportExportModelAdmin):
    list_display = [
        "code",
        "name",
        "segment",
        "payment_method",
        "home_warehouse",
        "min_days_at_delivery",
        "allocation_priority",
        "credit_limit",
        "open_balance",
        "active",
        "created_at",
    ]
    list_filter = ["active", "segment", "payment_method", "home_warehouse", "allocation_priority"]
    search_fields = ["code", "name", "email"]
    list_select_related = ["home_warehouse", "credit"]
    # Stored when a card is put on file (payments.cards_on_file), never typed in.
    readonly_fields = [
        "stripe_customer_id",
        "mirrored_customer",
        "stripe_payment_method_id",
        "card_brand",
        "card_last4",
        "card_exp_month",
        "card_exp_year",
        "created_at",
    ]
    inlines = [MembershipInline, ShipToInline, CreditInline, PriceInline]
    resource_classes = [PartnerResource]
    actions = ["create_api_tokens_for_users"]

    @admin.display(description="Stripe customer (mirror)")
    def mirrored_customer(self, partner):
        return mirrored_link("customer", partner.stripe_customer_id)

    @admin.display(description="credit limit")
    def credit_limit(self, partner):
        credit = getattr(partner, "credit", None)
        return credit.credit_limit if credit else None

    @admin.display(description="open balance")
    def open_balance(self, partner):
        credit = getattr(partner, "credit", None)
        return credit.open_balance if credit else None

    @admin.action(description="Create an API token for each user of the selected partners", permissions=["issue_token"])
    def create_api_tokens_for_users(self, request, queryset):
        users = [
            m.user
            for m in Membership.objects.filter(partner__in=queryset).select_related("user").order_by("user__username")
        ]
        return create_api_tokens(self, request, users)


@admin.register(CreditAccount)
class CreditAccountAdmin(admin.ModelAdmin):
    list_display = ["partner", "credit_limit", "open_balance", "headroom"]
    search_fields = ["partner__code", "partner__name"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["open_balance"]


@admin.register(Membership)
class MembershipAdmin(IssuesTokensMixin, admin.ModelAdmin):
    list_display = ["user", "partner", "role", "has_api_token"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "partner__code", "partner__name"]
    list_select_related = ["user", "partner"]
    autocomplete_fields = ["user", "partner"]
    actions = ["create_api_token"]

    @admin.display(description="API token", boolean=True)
    def has_api_token(self, membership):
        usable = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        return ApiToken.objects.filter(usable, user_id=membership.user_id).exists()

    @admin.action(description="Create an API token for the selected users", permissions=["issue_token"])
    def create_api_token(self, request, queryset):
        return create_api_tokens(self, request, [m.user for m in queryset.select_related("user")])


@admin.register(PartnerPrice)
class PartnerPriceAdmin(BackOfficeImportExportMixin, ImportExportModelAdmin):
    resource_classes = [PartnerPriceResource]
    list_display = ["partner", "product", "min_quantity", "unit_price", "updated_at"]
    list_filter = ["product__category"]
    search_fields = ["partner__code", "product__sku", "product__name"]
    list_select_related = ["partner", "product"]
    autocomplete_fields = ["partner", "product"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens by prefix: the key is not stored, so nothing here can show it. Tokens
    are issued from Memberships and Partners (or `manage.py drf_create_token`) and
    revoked here, never edited."""

    list_display = ["prefix_shown", "user", "label", "created_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["prefix", "user__username", "label"]
    list_select_related = ["user"]
    fields = ["prefix_shown", "user", "label", "created_at", "expires_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke_tokens"]

    @admin.display(description="prefix", ordering="prefix")
    def prefix_shown(self, token):
        return f"{token.prefix}…"

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke the selected API tokens (at once, on every server)", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        live = list(queryset.filter(revoked_at__isnull=True))
        revoked = revoke_api_tokens(tokens=ApiToken.objects.filter(pk__in=[token.pk for token in live]))
        for token in live:
            self.log_change(request, token, "revoked the API token")
        self.message_user(request, f"Revoked {revoked} API token(s).", messages.SUCCESS)
