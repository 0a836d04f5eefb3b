from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The top of the stack, beside home and demo: webhooks, the reversibility export,
    tickets by e-mail and personal data. The apps below announce their events through
    `portal.events`; this app listens (nothing below imports it)."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations import notifications  # noqa: F401  (registers the outbox renderers of its e-mails)
        from integrations.webhooks import record_events
        from portal.events import event_sink

        event_sink(record_events)
