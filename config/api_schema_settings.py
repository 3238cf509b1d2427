"""How the API's OpenAPI schema is made (drf-spectacular): kept apart from
config/settings.py, as nothing in it comes from the environment."""


def api_schema_settings() -> dict:
    """Return the SPECTACULAR_SETTINGS setting."""
    return {
        "TITLE": "Bouquet ERP API",
        "DESCRIPTION": "Orders, catalogue, prices, stock, events and shipments for the supplier's ERP and "
        "warehouse systems.",
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        # The contract is public; what it describes still needs a token.
        "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
        "SERVE_AUTHENTICATION": [],
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        # An order's and a payment's `status` are two enums, each named for what it is;
        # so is an allocation run's `kind`.
        "ENUM_NAME_OVERRIDES": {
            "OrderStatusEnum": "orders.models.OrderStatus",
            "PaymentStatusEnum": "payments.models.Payment.Status",
            "AllocationRunKindEnum": "orders.models.AllocationRun.Kind",
        },
        # The schema says what the server enforces (config/api/schema.py).
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "config.api.schema.declare_refused_text",
            "config.api.schema.declare_standard_answers",
        ],
    }
