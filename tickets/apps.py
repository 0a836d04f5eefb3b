from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from contracts.panels import register_organization_panel, register_panel
        from sla.signals import calendar_changed
        from tickets import notifications  # noqa: F401  (registers the outbox renderers of its e-mails)
        from tickets.sla import tickets_follow_calendar
        from tickets.views import organization_tickets_panel, preventive_plans_panel

        calendar_changed.connect(tickets_follow_calendar, dispatch_uid="tickets.follow_calendar")
        register_panel("tickets.preventive_plans", preventive_plans_panel, order=100)
        register_organization_panel("tickets.open_tickets", organization_tickets_panel, order=100)
