from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top of the stack: demo data made through every app's services
    (`manage.py seed_demo`)."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"
