from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "政府合同协议"

    def ready(self) -> None:
        import contracts.imports  # noqa: F401  (registers the contracts import kinds, issue 8)
        from contracts import demo, models
        from ledger.seeding import register_demo_hook
        from ledger.selectors.scoping import Tenancy, register_tenancy

        # Tenancy (SPEC §1): the agency's staff and the counterparty enterprise; global roles all.
        register_tenancy(models.Contract, Tenancy(agency_path="agency", enterprise_path="counterparty"))
        for model in (
            models.Milestone,
            models.Amendment,
            models.Evidence,
            models.LegalityReview,
            models.ContractEvent,
        ):
            register_tenancy(model, Tenancy(agency_path="contract__agency", enterprise_path="contract__counterparty"))
        register_demo_hook(30, "contracts", demo.load)
        from contracts import reports

        reports.register()  # the contracts report section and the disclosure's contract grouping (issue 6)
        from ledger.reminders import ReminderItem, register_reminder_source

        def milestones_due(on, horizon):  # the daily reminders (issue 5): government milestones not yet met
            qs = models.Milestone.objects.filter(side=models.MilestoneSide.GOVERNMENT, due_on__lte=horizon)
            qs = qs.filter(met_on__isnull=True, obligation__isnull=True)  # a triggered payment: its obligation
            qs = qs.filter(contract__status__in=["signed", "filed", "performing"]).select_related("contract")
            for m in qs.order_by("due_on", "id"):
                title = f"合同《{m.contract.title}》节点：{m.title}"
                link = f"/api/contracts/{m.contract_id}/"
                yield ReminderItem("milestone", m.pk, m.contract.agency_id, m.due_on, title, link)

        register_reminder_source(milestones_due, name="contracts.milestones")
