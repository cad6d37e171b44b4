from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "credit"
    verbose_name = "政务失信记录"

    def ready(self) -> None:
        from credit import demo, tenancies
        from credit.services.windows import seed_publicity_windows
        from ledger.seeding import register_demo_hook, register_seed_hook

        tenancies.register()
        from credit import admin_readonly

        admin_readonly.register()
        register_seed_hook(50, "credit_publicity_windows", seed_publicity_windows)
        register_demo_hook(50, "credit", demo.load)
