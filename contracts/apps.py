from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contracts import notifications  # noqa: F401  (registers the outbox renderers of its e-mails)
