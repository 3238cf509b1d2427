from django.contrib import admin, messages
from import_export.admin import ImportExportModelAdmin
from rest_framework.authtoken.models import Token

from config.admin import BackOfficeImportExportMixin
from partners.exceptions import PartnerError
from partners.models import CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress
from partners.resources import PartnerPriceResource, PartnerResource
from partners.tokens import issue_api_token


def create_api_tokens(model_admin, request, users) -> None:
    """Give each user an API token and show its key once; a user who has one keeps it
    (delete it under "Tokens" first to rotate it)."""
    for user in users:
        try:
            token = issue_api_token(user=user)
        except PartnerError as refused:
            model_admin.message_user(request, refused.message, messages.WARNING)
            continue
        model_admin.log_change(
            request, user.membership if hasattr(user, "membership") else user, "created an API token"
        )
        model_admin.message_user(
            request, f"API token for {user.get_username()}: {token.key} (shown once; copy it now).", messages.SUCCESS
        )


class IssuesTokensMixin:
    """Issuing an API token hands out a user's powers to a machine: it needs the right to
    add tokens, not merely to change partners or memberships."""

    def has_issue_token_permission(self, request):
        return request.user.has_perm("authtoken.add_token")


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0
    show_change_link = True


class ShipToInline(admin.TabularInline):
    model = ShipToAddress
    fields = ["label", "line1", "line2", "postcode", "city", "country", "is_default"]
    extra = 0


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
        "credit_limit",
        "open_balance",
        "active",
        "created_at",
    ]
    list_filter = ["active", "segment", "payment_method", "home_warehouse"]
    search_fields = ["code", "name", "email"]
    list_select_related = ["home_warehouse", "credit"]
    # The gateway stores these when it puts a card on file.
    readonly_fields = ["stripe_customer_id", "stripe_payment_method_id", "created_at"]
    inlines = [MembershipInline, ShipToInline, CreditInline, PriceInline]
    resource_classes = [PartnerResource]
    actions = ["create_api_tokens_for_users"]

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
        if not users:
            self.message_user(request, "The selected partners have no users.", messages.WARNING)
        create_api_tokens(self, request, users)


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
        return Token.objects.filter(user_id=membership.user_id).exists()

    @admin.action(description="Create an API token for the selected users", permissions=["issue_token"])
    def create_api_token(self, request, queryset):
        create_api_tokens(self, request, [m.user for m in queryset.select_related("user")])


@admin.register(ShipToAddress)
class ShipToAddressAdmin(admin.ModelAdmin):
    list_display = ["partner", "label", "city", "country", "is_default"]
    list_filter = ["country", "is_default"]
    search_fields = ["partner__code", "label", "city", "postcode"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]


@admin.register(PartnerPrice)
class PartnerPriceAdmin(BackOfficeImportExportMixin, ImportExportModelAdmin):
    resource_classes = [PartnerPriceResource]
    list_display = ["partner", "product", "min_quantity", "unit_price", "updated_at"]
    list_filter = ["product__category"]
    search_fields = ["partner__code", "product__sku", "product__name"]
    list_select_related = ["partner", "product"]
    autocomplete_fields = ["partner", "product"]
