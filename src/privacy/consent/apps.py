from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "privacy.consent"
    label = "consent"
    verbose_name = "Cookie consent"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        # Registers the audit action names at import, before any request records one.
        from privacy.consent import actions  # noqa: F401
        from privacy.consent.enforcement import forget_derived

        # What is derived from settings (tags, origins) is cached; a test that changes a
        # setting must not see the old answer.
        setting_changed.connect(forget_derived, dispatch_uid="privacy.consent.settings")
