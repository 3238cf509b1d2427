"""The partner portal's addresses. Pages live in `views.py` (home, catalogue, quick
order), `checkout.py` (the cart), `order_pages.py` (orders), `company.py` (the company's
users, for partner admins), `uploads.py` (CSV upload with progress), `campaigns.py`
(peak campaigns and their pre-books) and `payment_card.py` (the card on file)."""

from django.urls import include, path

from portal import checkout, company, order_pages, payment_card, views

app_name = "portal"

urlpatterns: list = [
    path("", views.HomeView.as_view(), name="home"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("quick-order/", views.QuickOrderView.as_view(), name="quick-order"),
    path("cart/", checkout.CartView.as_view(), name="cart"),
    path("cart/add/", views.CartAddView.as_view(), name="cart-add"),
    path("delivery-dates/", views.DeliveryDatesView.as_view(), name="delivery-dates"),
    path("orders/", order_pages.OrderListView.as_view(), name="orders"),
    path("orders/<slug:number>/", order_pages.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<slug:number>/cancel/", order_pages.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<slug:number>/reorder/", order_pages.OrderReorderView.as_view(), name="order-reorder"),
    path("users/", company.CompanyUsersView.as_view(), name="users"),
    path("payment/", payment_card.PaymentCardView.as_view(), name="payment"),
    path("payment/card/", payment_card.PaymentCardSaveView.as_view(), name="payment-card"),
    path("upload/", include("portal.upload_urls")),
    path("campaigns/", include("portal.campaign_urls")),
]
