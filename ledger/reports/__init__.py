"""Reports as of a date: a registry of sections each app contributes, their rendering and snapshots."""
