from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "privacy.policy"
    label = "policy"

    def ready(self) -> None:
        # Registering is all ready() does: reading the declaration here would turn a typo in
        # it into a traceback at start-up instead of a check that names the line.
        from django.core import checks

        from privacy.policy.checks import check_policy_declaration

        checks.register(check_policy_declaration, "privacy")
