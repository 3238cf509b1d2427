"""The portal's password-reset request page: Django's own, limited per e-mail address
and per client address (config/sign_in.py), since each request mails a stranger."""

import math

from django.contrib.auth import views as auth

from config.sign_in import claim_password_reset_request, client_ip_address


class LimitedPasswordResetView(auth.PasswordResetView):
    def form_valid(self, form):
        wait_seconds = claim_password_reset_request(
            email=form.cleaned_data["email"], ip_address=client_ip_address(self.request)
        )
        if wait_seconds:
            minutes = math.ceil(wait_seconds / 60)
            form.add_error(
                None,
                "Too many password-reset requests for this e-mail address or from your network. "
                f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait_seconds)
            return response
        return super().form_valid(form)
