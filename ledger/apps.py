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

        from ledger.demo import obligations as demo_obligations

        register_demo_hook(20, "obligations", demo_obligations.load)

        from ledger.demo import claims as demo_claims

        register_demo_hook(25, "claims", demo_claims.load)

        from ledger.demo import oversight as demo_oversight

        register_demo_hook(40, "oversight", demo_oversight.load)

        from ledger.imports import kinds as import_kinds

        import_kinds.register()

        from ledger.reports import sections as report_sections

        report_sections.register()
