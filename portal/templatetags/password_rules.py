"""The rules a new password must meet, as plain texts the template escapes: the portal
never marks a field's help text safe (a help text a user could influence would become
markup)."""

from django import template
from django.contrib.auth import password_validation

register = template.Library()


@register.simple_tag
def password_rules() -> list[str]:
    """Return the help text of each configured password validator."""
    return password_validation.password_validators_help_texts()
