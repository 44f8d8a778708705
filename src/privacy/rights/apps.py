from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "privacy.rights"
    label = "rights"
    verbose_name = "Data subject rights"

    def ready(self) -> None:
        # Registers the audit action names at import, before any request records one.
        from privacy.rights import actions  # noqa: F401
