"""The payment page: the company's card on file, which every user of the partner sees,
and, for its partner admins, a card form drawn and confirmed by Stripe.js, so that the
card's number goes from the browser to Stripe alone (docs/SECURITY.md, "Cards").
The page then posts us the SetupIntent's id, and `payments.cards_on_file` makes its
card the partner's. Only this page lets Stripe.js in: its Content-Security-Policy
adds Stripe's script, API and frames to the site's own."""

import functools
from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from partners.models import Partner
from partners.roles import is_partner_admin
from payments.cards_on_file import save_card_from_setup_intent, start_card_setup
from payments.exceptions import PaymentError
from portal.errors import flash_domain_errors
from portal.pages import PartnerPageMixin

# What Stripe's own Stripe.js needs besides its script: its API, and the frames it
# draws card fields and 3-D Secure in (Stripe's CSP guide).
STRIPE_OWN_ORIGIN = "https://js.stripe.com"
STRIPE_OWN_EXTRA = {"connect-src": ["https://api.stripe.com"], "frame-src": ["https://hooks.stripe.com"]}


def stripe_js_policy() -> dict:
    """The directives this page adds for the Stripe.js that STRIPE_JS_URL names: a
    stand-in's script talks to its own address, Stripe's to api.stripe.com."""
    parts = urlsplit(settings.STRIPE_JS_URL)
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = {"script-src": [origin], "connect-src": [origin], "frame-src": [origin]}
    if origin == STRIPE_OWN_ORIGIN:
        policy["connect-src"] = STRIPE_OWN_EXTRA["connect-src"]
        policy["frame-src"] = [origin, *STRIPE_OWN_EXTRA["frame-src"]]
    return policy


def allow_stripe_js(view):
    """django-csp's `csp_update` for this view, with the policy read from the settings
    when the page is served rather than when the module is imported."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return csp_update(stripe_js_policy())(view)(request, *args, **kwargs)

    return wrapped


@method_decorator(allow_stripe_js, name="dispatch")
# The page carries a SetupIntent's client secret: no cache, shared or the browser's, keeps it.
@method_decorator(never_cache, name="dispatch")
class PaymentCardView(PartnerPageMixin, View):
    def get(self, request):
        pays_by_card = self.partner.payment_method == Partner.PaymentMethod.CARD
        # A buyer's page asks Stripe nothing and carries no form: they cannot change the card.
        card_form = self._card_form() if pays_by_card and is_partner_admin(request.user) else None
        return self.page("portal/payment_card.html", {"card_form": card_form, "pays_by_card": pays_by_card})

    def _card_form(self) -> dict | None:
        """What the page's script needs to confirm a new SetupIntent; None, with a
        message, when Stripe cannot be asked for one now."""
        try:
            setup_intent = start_card_setup(self.partner)
        except PaymentError as error:
            messages.error(self.request, f"The card form is not available now ({error.message}). Try again shortly.")
            return None
        return {
            "client_secret": setup_intent["client_secret"],
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
        }


class PaymentCardSaveView(PartnerPageMixin, View):
    """Where the page posts the SetupIntent Stripe.js confirmed: partner admins only."""

    admins_only = True

    @method_decorator(flash_domain_errors(lambda request: "portal:payment"))
    def post(self, request):
        partner = save_card_from_setup_intent(self.partner, request.POST.get("setup_intent", ""))
        messages.success(
            request,
            f"Saved: the card ending {partner.card_last4} is your company's card on file. Your orders are "
            "charged to it from now on; an order already being paid keeps the card it was charged with.",
        )
        return redirect("portal:payment")
