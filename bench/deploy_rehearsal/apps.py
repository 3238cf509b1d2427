from django.apps import AppConfig


class DeployRehearsalConfig(AppConfig):
    name = "bench.deploy_rehearsal"
    label = "deploy_rehearsal"
    verbose_name = "Deploy rehearsal (make chaos only)"
