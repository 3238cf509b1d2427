"""Links from the back office's pages to the Stripe mirror's rows (dj-stripe's admin),
for any app's admin: the partner's customer, an order's PaymentIntent and charge."""

from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join


def mirrored_link(model_name: str, stripe_id: str | None):
    """A link to dj-stripe's admin page of the mirrored object (`model_name` as
    "customer", "paymentintent", "charge", "dispute"), or the id with a note while the
    mirror has not written it yet (one indexed read)."""
    if not stripe_id:
        return "-"
    # dj-stripe's rows are keyed by a number of their own; `id` is Stripe's.
    row = apps.get_model("djstripe", model_name).objects.filter(id=stripe_id).values_list("pk", flat=True).first()
    if row is None:
        return format_html("{} <small>(not mirrored yet)</small>", stripe_id)
    url = reverse(f"admin:djstripe_{model_name}_change", args=[row])
    return format_html('<a href="{}">{}</a>', url, stripe_id)


def mirrored_charges_link(payment_intent_id: str | None):
    """Links to the mirrored charges of a PaymentIntent (usually one)."""
    if not payment_intent_id:
        return "-"
    charges = apps.get_model("djstripe", "charge").objects.filter(payment_intent_id=payment_intent_id)
    rows = list(charges.order_by("created").values_list("pk", "id"))
    if not rows:
        return format_html("<small>{}</small>", "none mirrored yet")
    links = ((reverse("admin:djstripe_charge_change", args=[pk]), charge_id) for pk, charge_id in rows)
    return format_html_join(", ", '<a href="{}">{}</a>', links)


class MirroredPaymentLinks:
    """An admin of payments (the payment's own page, the order's payment inline) links
    its PaymentIntent, charges and dispute to the mirror: name these in its fields."""

    @admin.display(description="PaymentIntent (Stripe mirror)")
    def mirrored_payment_intent(self, payment):
        return mirrored_link("paymentintent", payment.stripe_payment_intent_id)

    @admin.display(description="charges (Stripe mirror)")
    def mirrored_charges(self, payment):
        return mirrored_charges_link(payment.stripe_payment_intent_id)

    @admin.display(description="dispute (Stripe mirror)")
    def mirrored_dispute(self, payment):
        return mirrored_link("dispute", payment.stripe_dispute_id)
