from django.apps import AppConfig


class WeblogConfig(AppConfig):
    name = "weblog"
    verbose_name = "Technical logs"
