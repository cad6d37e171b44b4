from django.core.management.base import BaseCommand

from ledger.seeding import run_demo_hooks


class Command(BaseCommand):
    help = "载入演示数据（全部标记为演示；可重复执行）"

    def handle(self, *args, **options):
        done = run_demo_hooks()
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入：{', '.join(done)}"))
