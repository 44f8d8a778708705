from django.apps import AppConfig


class ProcessingConfig(AppConfig):
    name = "privacy.processing"
    label = "processing"
    verbose_name = "Purpose gates (restriction, objection, consent per purpose)"

    def ready(self) -> None:
        # Registers the audit action names and the system checks at import.
        from privacy.processing import actions, checks  # noqa: F401
