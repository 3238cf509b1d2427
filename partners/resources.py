"""Import and export of partners and their prices for the back office.

Prices are written by `set_partner_price`, the rule every door uses."""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from config.errors import DomainError
from inventory.models import Product, Warehouse
from inventory.resources import FieldValueErrorsMixin, row_error_from
from partners.models import Partner, PartnerPrice
from partners.pricing import set_partner_price


class KnownForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key (partner code, SKU, warehouse code) that names
    the unknown value instead of "matching query does not exist"."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"Unknown {self.model._meta.verbose_name} {value!r}.") from None


class ServiceKeyedResource(FieldValueErrorsMixin, resources.ModelResource):
    """Rows whose uniqueness the saving service judges (by partner code, or partner,
    SKU and break): the model's unique check would refuse an update of an existing row."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique=False)


class PartnerResource(ServiceKeyedResource):
    home_warehouse = fields.Field(
        attribute="home_warehouse", column_name="home_warehouse", widget=KnownForeignKeyWidget(Warehouse, field="code")
    )
    credit_limit = fields.Field(column_name="credit_limit", readonly=True)
    open_balance = fields.Field(column_name="open_balance", readonly=True)

    class Meta:
        model = Partner
        fields = [
            "code",
            "name",
            "segment",
            "email",
            "payment_method",
            "home_warehouse",
            "min_days_at_delivery",
            "active",
            "credit_limit",
            "open_balance",
        ]
        export_order = fields
        import_id_fields = ["code"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def get_queryset(self):
        return Partner.objects.select_related("home_warehouse", "credit")

    def dehydrate_credit_limit(self, partner):
        credit = getattr(partner, "credit", None)
        return credit.credit_limit if credit else ""

    def dehydrate_open_balance(self, partner):
        credit = getattr(partner, "credit", None)
        return credit.open_balance if credit else ""


class PartnerPriceResource(ServiceKeyedResource):
    partner = fields.Field(
        attribute="partner", column_name="partner", widget=KnownForeignKeyWidget(Partner, field="code")
    )
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
        # set_partner_price judges the price and names the field at fault; the model's
        # check constraints would answer first, naming only the constraint.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=list(errors), validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        try:
            price, _ = set_partner_price(
                partner=instance.partner,
                product=instance.product,
                unit_price=instance.unit_price,
                min_quantity=instance.min_quantity,
            )
        except DomainError as exc:
            raise row_error_from(exc) from None
        instance.pk = price.pk
