"""Driving the back office's admin through the test client: its URLs, its actions and
the messages it answers with."""

from django.forms import MultiWidget
from django.urls import reverse


def changelist(model_label: str) -> str:
    app, model = model_label.split(".")
    return reverse(f"admin:{app}_{model}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def run_action(client, model_label: str, action: str, objects, **extra):
    """Run an admin action on `objects` from the model's list, following the redirect."""
    return client.post(
        changelist(model_label), {"action": action, "_selected_action": [o.pk for o in objects], **extra}, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _field_values(form, data: dict) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, MultiWidget):  # a date and a time, as two inputs
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is not None:
            data[key] = str(value)


def change_form_data(response) -> dict:
    """What a change page's form would post back unchanged: its fields and those of its
    inlines, with their management forms (for a test to change one field and post)."""
    data: dict = {}
    _field_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _field_values(formset.management_form, data)
        for form in formset.forms:
            _field_values(form, data)
    return data
