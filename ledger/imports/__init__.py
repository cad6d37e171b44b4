"""Importing agencies' spreadsheet ledgers (台账): obligations with payments, redemptions, and —
registered by the contracts app — contracts with milestones.

- ``registry``: kinds, sheets and columns (Chinese headers and their variants); higher apps
  register their kinds from ``AppConfig.ready()``.
- ``reading`` / ``values``: .xlsx and .csv readers and the tolerant parsers.
- ``services.import_run``: validate every row, then write all or nothing; records an
  ``ImportJob`` (ledger/models/imports.py) with its report.
- ``report`` / ``templates``: the report and the per-kind template as XLSX.
"""
