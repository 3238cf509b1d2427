"""The Stripe webhook's address, /payments/stripe/webhook/: the one the stand-in and
Stripe's dashboard are given."""

from django.urls import path

from journey import payment_events

app_name = "payments"
urlpatterns = [
    path("stripe/webhook/", payment_events.stripe_webhook, name="stripe-webhook"),
]
