"""PostgreSQL only: principal tenures of one agency never overlap (SPEC §2).

SQLite has no exclusion constraints; there the service's locked check is the guard.
"""

from django.db import migrations

SQL_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE ledger_tenure ADD CONSTRAINT tenure_no_overlap "
    "EXCLUDE USING gist (agency_id WITH =, daterange(start_on, end_on, '[)') WITH &&)",
]
SQL_DOWN = ["ALTER TABLE ledger_tenure DROP CONSTRAINT IF EXISTS tenure_no_overlap"]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(_run(SQL_UP), _run(SQL_DOWN))]
