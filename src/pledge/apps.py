from django.apps import AppConfig


class PledgeConfig(AppConfig):
    """The site shell: base templates, the home page, static files."""

    name = "pledge"
    verbose_name = "SogaWorks site"
