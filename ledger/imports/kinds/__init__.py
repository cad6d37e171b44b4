"""The ledger's own import kinds, registered from LedgerConfig.ready()."""


def register() -> None:
    from ledger.imports.kinds.obligations import obligations_kind, payments_kind
    from ledger.imports.kinds.redemptions import redemptions_kind
    from ledger.imports.registry import register_kind

    for kind in (obligations_kind, payments_kind, redemptions_kind):
        register_kind(kind)
