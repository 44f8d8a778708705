from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "privacy.audit"
    label = "audit"
