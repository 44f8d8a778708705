from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = "Marketing e-mails"

    def ready(self) -> None:
        # Registers the audit action names at import.
        from marketing import actions  # noqa: F401
