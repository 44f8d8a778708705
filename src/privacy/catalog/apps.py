from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "privacy.catalog"
    label = "catalog"

    def ready(self) -> None:
        from django.core import checks

        from privacy.catalog.checks import check_personal_data

        checks.register(check_personal_data, checks.Tags.models, "privacy")
