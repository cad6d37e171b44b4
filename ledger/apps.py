from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = "履约践诺台账"

    def ready(self) -> None:
        from ledger import checks  # noqa: F401  (registers the system checks)
        from ledger.demo import parties as demo_parties
        from ledger.seeding import register_demo_hook
        from ledger.selectors import tenancies

        tenancies.register()
        register_demo_hook(10, "parties", demo_parties.load)
