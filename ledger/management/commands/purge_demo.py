from django.core.management.base import BaseCommand

from ledger.models import User


class Command(BaseCommand):
    # Must run exactly when the demo-user check fails, so it skips the system checks.
    requires_system_checks = []
    help = "停用全部演示账号并去除演示标记（生产模式启动前必须执行）；其写过的记录仍保留在历史中"

    def handle(self, *args, **options):
        deleted = 0
        for user in User.objects.filter(is_demo=True):
            user.api_tokens.all().delete()
            user.is_active = False
            user.is_demo = False
            user.username = f"purged-{user.pk}-{user.username}"[:150]
            user.set_unusable_password()
            user.save()
            deleted += 1
        self.stdout.write(self.style.SUCCESS(f"已停用并清除 {deleted} 个演示账号"))
