"""Import and export of partners and their prices for the back office.

Prices are written by `set_partner_price`, the rule every door uses."""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from config.errors import DomainError
from inventory.models import Product, Warehouse
from inventory.resources import FieldValueErrorsMixin
from partners.models import Partner, PartnerPrice
from partners.services import set_partner_price


class KnownForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key (partner code, SKU, warehouse code) that names
    the unknown value instead of "matching query does not exist"."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"Unknown {self.model._meta.verbose_name} {value!r}.") from None


class PartnerResource(FieldValueErrorsMixin, resources.ModelResource):
    home_warehouse = fields.Field(attribute="home_warehouse", column_name="home_warehouse",
                                  widget=KnownForeignKeyWidget(Warehouse, field="code"))
    credit_limit = fields.Field(column_name="credit_limit", readonly=True)
    open_balance = fields.Field(column_name="open_balance", readonly=True)

    class Meta:
        model = Partner
        fields = ["code", "name", "segment", "email", "payment_method", "home_warehouse", "active",
                  "credit_limit", "open_balance"]
        export_order = fields
        import_id_fields = ["code"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def get_queryset(self):
        return Partner.objects.select_related("home_warehouse", "credit")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def dehydrate_credit_limit(self, partner):
        credit = getattr(partner, "credit", None)
        return credit.credit_limit if credit else ""

    def dehydrate_open_balance(self, partner):
        credit = getattr(partner, "credit", None)
        return credit.open_balance if credit else ""


class PartnerPriceResource(FieldValueErrorsMixin, resources.ModelResource):
    partner = fields.Field(attribute="partner", column_name="partner", widget=KnownForeignKeyWidget(Partner, field="code"))
    sku = fields.Field(attribute="product", column_name="sku", widget=KnownForeignKeyWidget(Product, field="sku"))

    class Meta:
        model = PartnerPrice
        fields = ["partner", "sku", "min_quantity", "unit_price"]
        export_order = fields
        import_id_fields = ["partner", "sku", "min_quantity"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def get_queryset(self):
        return PartnerPrice.objects.select_related("partner", "product")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique=False)

    def do_instance_save(self, instance, is_create):
        try:
            price, _ = set_partner_price(partner=instance.partner, product=instance.product,
                                         unit_price=instance.unit_price, min_quantity=instance.min_quantity)
        except DomainError as exc:
            raise ValidationError({e["field"]: e["detail"] for e in exc.errors} if exc.errors else exc.message) from None
        instance.pk = price.pk
