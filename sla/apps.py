from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "sla"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from sla import config_cache

        config_cache.connect()
