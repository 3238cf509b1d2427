from django.urls import path

from orders.api import catalogue, delivery_options, dispatch, views

urlpatterns = [
    path("orders/", views.OrderListCreateApi.as_view(), name="api-orders"),
    path("orders/<slug:number>/", views.OrderDetailApi.as_view(), name="api-order"),
    path("orders/<slug:number>/cancel/", views.OrderCancelApi.as_view(), name="api-order-cancel"),
    path("shipments/<int:shipment_id>/dispatch/", dispatch.ShipmentDispatchApi.as_view(), name="api-shipment-dispatch"),
    path("products/", catalogue.ProductListApi.as_view(), name="api-products"),
    path("products/<str:sku>/", catalogue.ProductApi.as_view(), name="api-product"),
    path("events/", views.EventFeedApi.as_view(), name="api-events"),
    path("delivery-options/", delivery_options.DeliveryOptionsApi.as_view(), name="api-delivery-options"),
]
