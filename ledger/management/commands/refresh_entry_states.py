"""Store the state after each ledger entry where it is missing (docs/operations.md).

The payment service stores it with every entry; an entry written by other means (a SQL script)
has none, and while one exists the obligations CSV on PostgreSQL is computed in Python instead
of by the database. This command computes the missing states with the interest rule itself.
"""

from django.core.management.base import BaseCommand

from ledger.models import AccessLog
from ledger.services.obligations import entry_states_refresh


class Command(BaseCommand):
    help = "为缺少“记录后状态”的付款与利息记录补算状态（供数据库直接计算导出的逾期利息等列）"

    def handle(self, *args, **options):
        done = entry_states_refresh()
        AccessLog.objects.create(
            user=None, action="refresh_entry_states", target="ledger_entry", detail={"obligations": done}
        )
        self.stdout.write(f"已补算{done}项给付义务的付款与利息记录状态")
