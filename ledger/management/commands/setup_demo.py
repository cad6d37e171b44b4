from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "一次完成：建表、载入种子数据和演示数据（README 的第一条命令调用它）"

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_seeds", stdout=self.stdout)
        call_command("load_demo", stdout=self.stdout)
