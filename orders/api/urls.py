from django.urls import path

from orders.api import campaigns, catalogue, delivery_options, dispatch, prebooks, views

urlpatterns = [
    path("orders/", views.OrderListCreateApi.as_view(), name="api-orders"),
    path("orders/<slug:number>/", views.OrderDetailApi.as_view(), name="api-order"),
    path("orders/<slug:number>/cancel/", views.OrderCancelApi.as_view(), name="api-order-cancel"),
    path("shipments/<int:shipment_id>/dispatch/", dispatch.ShipmentDispatchApi.as_view(), name="api-shipment-dispatch"),
    path("products/", catalogue.ProductListApi.as_view(), name="api-products"),
    path("products/<str:sku>/", catalogue.ProductApi.as_view(), name="api-product"),
    path("events/", views.EventFeedApi.as_view(), name="api-events"),
    path("delivery-options/", delivery_options.DeliveryOptionsApi.as_view(), name="api-delivery-options"),
    path("campaigns/", campaigns.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<str:code>/", campaigns.CampaignApi.as_view(), name="api-campaign"),
    path("campaigns/<str:code>/allocations/", campaigns.AllocationRunApi.as_view(), name="api-campaign-allocations"),
    path("campaigns/<str:code>/prebooks/", prebooks.PrebookListCreateApi.as_view(), name="api-prebooks"),
    path("campaigns/<str:code>/prebooks/<str:id>/", prebooks.PrebookApi.as_view(), name="api-prebook"),
]
