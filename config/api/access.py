"""Who may call what. A partner's user acts for that partner only (the selectors scope
what it sees, partners.roles what its role allows). Staff (and integration accounts,
which are staff) act for every partner, and each of their requests needs the Django
model permission the view names for its method: the same permissions the admin checks,
given through the groups of backoffice/roles.py. Declared once per view with
`staff_may`; a refusal is 403 `permission_denied` naming what is missing."""

from rest_framework.permissions import BasePermission

from config.callers import caller_partner, deactivated_partner_message

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def missing_permissions(user, needed: tuple[str, ...]) -> list[str]:
    """Return the permissions of `needed` the user lacks ("app_label.codename"), in order."""
    return [permission for permission in needed if not user.has_perm(permission)]


class _StaffPermissions(BasePermission):
    """Staff need every permission named for the request's method (HEAD and OPTIONS as
    GET). A partner's user passes the methods in `partner_methods`. A method the view
    does not answer falls through to its 405."""

    by_method: dict[str, tuple[str, ...]] = {}
    partner_methods: frozenset[str] = frozenset()
    message = "This API is for partner users and staff."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        method = "GET" if request.method in READ_METHODS else request.method
        if not user.is_staff:
            # A session cookie reaches here too (token authentication refuses the
            # tokens itself): a deactivated partner's users may do nothing.
            refusal = deactivated_partner_message(user)
            if refusal:
                self.message = refusal
                return False
            if method in self.partner_methods and caller_partner(user) is not None:
                return True
            self.message = (
                "Only staff and integration accounts may do this."
                if method not in self.partner_methods
                else "This API is for partner users and staff."
            )
            return False
        if method not in self.by_method:
            # Staff may only what is declared: a method the view answers but does not
            # name is refused; one it does not answer goes on to its 405.
            if request.method != "OPTIONS" and hasattr(view, request.method.lower()):
                self.message = f"{request.method} here is for no staff role."
                return False
            return True
        missing = missing_permissions(user, self.by_method[method])
        if missing:
            self.message = (
                f"Your account lacks the permission {', '.join(missing)} needed for {request.method} here; "
                "ask an administrator for a group that has it (docs/SECURITY.md, Roles)."
            )
            return False
        return True


def staff_may(*, partners_may: tuple[str, ...] = (), **by_method: list[str]) -> type[BasePermission]:
    """Return the permission class of a view: each method its staff may call, with the
    model permissions that call needs, and the methods a partner's user may call (the
    view scopes those to the user's partner and role). For example
    `staff_may(GET=["inventory.view_stock"], PUT=["inventory.add_stock", "inventory.change_stock"])`."""
    return type(
        "StaffMay",
        (_StaffPermissions,),
        {
            "by_method": {method.upper(): tuple(needed) for method, needed in by_method.items()},
            "partner_methods": frozenset(method.upper() for method in partners_may),
        },
    )


class NothingDeclared(_StaffPermissions):
    """The API's default (REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES): a view that does
    not declare `staff_may` answers no partner and no staff, rather than everyone."""
