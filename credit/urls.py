"""Routes of the credit app, registered on the core router by ledger/urls.py."""


def register(router) -> None:
    pass
