"""Sign-in, sign-out, password change and reset for the partner portal: Django's own
views with the portal's templates. The templates live under portal/auth/ rather than
registration/, so the admin's account pages keep the admin's look."""

from django.conf import settings
from django.contrib.auth import views as auth
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import path

from config.callers import deactivated_partner_message
from portal.password_reset import LimitedPasswordResetView

T = "portal/auth/"


class SiteDomainResetForm(PasswordResetForm):
    """The reset link names SITE_DOMAIN, never the request's Host header, which a
    caller chooses (within ALLOWED_HOSTS)."""

    def save(self, *args, **kwargs):
        return super().save(*args, **{**kwargs, "domain_override": settings.SITE_DOMAIN})


class PartnerSignInForm(AuthenticationForm):
    """Django's sign-in, refusing the users of a deactivated partner with the reason
    (the right password alone does not let them in)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        refusal = deactivated_partner_message(user)
        if refusal:
            raise ValidationError(refusal, code="partner_deactivated")


urlpatterns = [
    path(
        "login/",
        auth.LoginView.as_view(template_name=T + "login.html", authentication_form=PartnerSignInForm),
        name="login",
    ),
    path("logout/", auth.LogoutView.as_view(template_name=T + "logged_out.html"), name="logout"),
    path(
        "password_change/",
        auth.PasswordChangeView.as_view(template_name=T + "password_change_form.html"),
        name="password_change",
    ),
    path(
        "password_change/done/",
        auth.PasswordChangeDoneView.as_view(template_name=T + "password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password_reset/",
        LimitedPasswordResetView.as_view(
            template_name=T + "password_reset_form.html",
            email_template_name=T + "password_reset_email.html",
            subject_template_name=T + "password_reset_subject.txt",
            form_class=SiteDomainResetForm,
        ),
        name="password_reset",
    ),
    path(
        "password_reset/done/",
        auth.PasswordResetDoneView.as_view(template_name=T + "password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(template_name=T + "password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth.PasswordResetCompleteView.as_view(template_name=T + "password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
