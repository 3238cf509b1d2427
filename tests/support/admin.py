"""Driving the back office's admin through the test client: its URLs, its actions and
the messages it answers with."""

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
