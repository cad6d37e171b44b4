"""Routes of the credit app, registered on the core router by ledger/urls.py."""


def register(router) -> None:
    from credit import api

    router.register("credit/records", api.CreditRecordViewSet, basename="credit-record")
    router.register("credit/exports", api.CreditExportViewSet, basename="credit-export")
    router.register("credit/publicity-windows", api.CreditPublicityWindowViewSet, basename="credit-publicity-window")
