from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "sustain.governance"
    label = "governance"
    verbose_name = "Governance calendar (cadences and occurrences)"

    def ready(self) -> None:
        from sustain.governance import completion, embedding

        completion.connect()
        embedding.register()
