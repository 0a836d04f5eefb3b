from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing import notifications  # noqa: F401  (registers the outbox renderers of its e-mails)
        from billing.views import contract_billing_panel, contract_report_panel, hour_bank_work_note
        from contracts.panels import register_panel
        from tickets.panels import register_work_note

        register_panel("billing.plan", contract_billing_panel, order=50)
        register_panel("billing.report_charts", contract_report_panel, order=60)
        register_work_note("billing.hour_bank", hour_bank_work_note, order=100)
