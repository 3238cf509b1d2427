from django.contrib import admin

from partners.models import CreditAccount, Membership, Partner, PartnerPrice, ShipToAddress


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["user"]
    extra = 0


class ShipToInline(admin.TabularInline):
    model = ShipToAddress
    fields = ["label", "line1", "line2", "postcode", "city", "country", "is_default"]
    extra = 0


class CreditInline(admin.StackedInline):
    model = CreditAccount
    fields = ["credit_limit", "open_balance"]
    # The open balance moves with on-account orders only.
    readonly_fields = ["open_balance"]
    can_delete = False


class PriceInline(admin.TabularInline):
    model = PartnerPrice
    fields = ["product", "min_quantity", "unit_price", "updated_at"]
    readonly_fields = ["updated_at"]
    autocomplete_fields = ["product"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "segment", "payment_method", "home_warehouse", "active", "created_at"]
    list_filter = ["active", "segment", "payment_method", "home_warehouse"]
    search_fields = ["code", "name", "email"]
    list_select_related = ["home_warehouse"]
    # The gateway stores these when it puts a card on file.
    readonly_fields = ["stripe_customer_id", "stripe_payment_method_id", "created_at"]
    inlines = [MembershipInline, ShipToInline, CreditInline, PriceInline]


@admin.register(CreditAccount)
class CreditAccountAdmin(admin.ModelAdmin):
    list_display = ["partner", "credit_limit", "open_balance", "headroom"]
    search_fields = ["partner__code", "partner__name"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]
    readonly_fields = ["open_balance"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "partner__code", "partner__name"]
    list_select_related = ["user", "partner"]
    autocomplete_fields = ["user", "partner"]


@admin.register(ShipToAddress)
class ShipToAddressAdmin(admin.ModelAdmin):
    list_display = ["partner", "label", "city", "country", "is_default"]
    list_filter = ["country", "is_default"]
    search_fields = ["partner__code", "label", "city", "postcode"]
    list_select_related = ["partner"]
    autocomplete_fields = ["partner"]


@admin.register(PartnerPrice)
class PartnerPriceAdmin(admin.ModelAdmin):
    list_display = ["partner", "product", "min_quantity", "unit_price", "updated_at"]
    list_filter = ["product__category"]
    search_fields = ["partner__code", "product__sku", "product__name"]
    list_select_related = ["partner", "product"]
    autocomplete_fields = ["partner", "product"]
