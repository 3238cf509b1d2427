from django.urls import path

from fulfillment.api import routes, ship_tos, views

urlpatterns = [
    path("shipments/", views.ShipmentListApi.as_view(), name="api-shipments"),
    path("ship-tos/", ship_tos.ShipToListApi.as_view(), name="api-ship-tos"),
    path("ship-tos/<int:id>/", ship_tos.ShipToApi.as_view(), name="api-ship-to"),
    path("routes/", routes.RouteListApi.as_view(), name="api-routes"),
    path("routes/<str:code>/", routes.RouteApi.as_view(), name="api-route"),
    path("routes/<str:code>/exceptions/<str:date>/", routes.RouteExceptionApi.as_view(), name="api-route-exception"),
]
