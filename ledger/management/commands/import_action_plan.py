"""Read a government action plan (numbered tasks ending in （责任单位：…；配合单位：…）) into plan tasks."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.planparse import parse_action_plan, parse_plan_title
from seeds.loader import load_plan


class Command(BaseCommand):
    help = "解析行动方案文本（各项任务以“（责任单位：…；配合单位：…）”结尾）并导入为行动方案任务"

    def add_arguments(self, parser):
        parser.add_argument("path", help="方案文本文件（UTF-8）")
        parser.add_argument("--plan", help="方案名称（默认取文本中的方案标题）")
        parser.add_argument("--dry-run", action="store_true", help="只解析并列出任务，不写入")
        parser.add_argument("--json", dest="json_out", help="把解析结果另存为 JSON 文件")

    def handle(self, *args, path, plan=None, dry_run=False, json_out=None, **options):
        try:
            text = Path(path).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取方案文本 {path}：{exc}") from None
        tasks = parse_action_plan(text)
        if not tasks:
            raise CommandError("未识别出任何任务：任务须编号，并以“（责任单位：…）”结尾")
        document = {
            "title": parse_plan_title(text),
            "tasks": [
                {
                    "number": t.number,
                    "title": t.title,
                    "body": t.body,
                    "section": t.section,
                    "subsection": t.subsection,
                    "responsible": list(t.responsible),
                    "cooperating": list(t.cooperating),
                    "deadline": t.deadline,
                }
                for t in tasks
            ],
        }
        if json_out:
            Path(json_out).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        for t in tasks:
            self.stdout.write(
                f"{t.number}. 责任单位：{'、'.join(t.responsible)}；配合单位：{'、'.join(t.cooperating) or '—'}"
            )
        if dry_run:
            self.stdout.write(f"共 {len(tasks)} 项任务（未写入）")
            return
        try:
            count = load_plan(document, plan_name=plan or document["title"] or Path(path).stem)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"已导入 {count} 项任务"))
