"""Routes of the contracts app, registered on the core router by ledger/urls.py."""

from contracts.api import ContractEvidenceViewSet, ContractMilestoneViewSet, ContractViewSet


def register(router) -> None:
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("contract-milestones", ContractMilestoneViewSet, basename="contract-milestone")
    router.register("contract-evidence", ContractEvidenceViewSet, basename="contract-evidence")
