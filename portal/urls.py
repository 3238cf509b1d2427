"""The partner portal's addresses. Pages live in `views.py` (catalogue, cart, orders)
and `uploads.py` (CSV upload with progress)."""

from django.urls import include, path

from portal import views

app_name = "portal"

urlpatterns: list = [
    path("", views.HomeView.as_view(), name="home"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("quick-order/", views.QuickOrderView.as_view(), name="quick-order"),
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/add/", views.CartAddView.as_view(), name="cart-add"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<slug:number>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<slug:number>/cancel/", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<slug:number>/reorder/", views.OrderReorderView.as_view(), name="order-reorder"),
    path("upload/", include("portal.upload_urls")),
]
