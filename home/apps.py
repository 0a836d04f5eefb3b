from django.apps import AppConfig


class HomeConfig(AppConfig):
    """The top of the stack: the home page and the dashboards, which gather what every
    app below shows a role at a glance (tickets, clients, activity)."""

    name = "home"
    default_auto_field = "django.db.models.BigAutoField"
