"""Registries through which every app contributes seed data and demo data.

Higher apps register their loaders in AppConfig.ready(), so the core never imports them.
Each loader must be idempotent: running it twice gives the same rows.
"""

from collections.abc import Callable

_SEED_HOOKS: list[tuple[int, str, Callable[[], None]]] = []
_DEMO_HOOKS: list[tuple[int, str, Callable[[], None]]] = []


def register_seed_hook(order: int, name: str, fn: Callable[[], None]) -> None:
    if not any(n == name for _, n, _ in _SEED_HOOKS):
        _SEED_HOOKS.append((order, name, fn))


def register_demo_hook(order: int, name: str, fn: Callable[[], None]) -> None:
    """Demo data for one area; `order` puts parties (10) before obligations (20) before contracts (30)…"""
    if not any(n == name for _, n, _ in _DEMO_HOOKS):
        _DEMO_HOOKS.append((order, name, fn))


def run_seed_hooks() -> list[str]:
    done = []
    for _, name, fn in sorted(_SEED_HOOKS, key=lambda h: h[0]):
        fn()
        done.append(name)
    return done


def run_demo_hooks() -> list[str]:
    done = []
    for _, name, fn in sorted(_DEMO_HOOKS, key=lambda h: h[0]):
        fn()
        done.append(name)
    return done


def upsert(model, defaults: dict | None = None, **lookup):
    """update_or_create that writes only when something differs, so a rerun adds no history rows."""
    defaults = defaults or {}
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **defaults), True
    changed = [k for k, v in defaults.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, defaults[k])
        obj.save(update_fields=changed)
    return obj, False
