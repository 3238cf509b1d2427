"""The partner's own company, for its partner admins: who its users are and their
roles. Read-only; the back office changes memberships."""

from django.views import View

from partners.selectors import partner_members
from portal.pages import PartnerPageMixin


class CompanyUsersView(PartnerPageMixin, View):
    admins_only = True

    def get(self, request):
        return self.page("portal/company_users.html", {"memberships": partner_members(partner=self.partner)})
