"""Import jobs: one upload of an agency's spreadsheet ledger (台账), with its report.

A job is written once, when the import has run, with the outcome it reached; it never changes
afterwards (an immutable log entry, so it has no transition table). The report (Chinese) lists
every problem by sheet, row, column, value and reason, and what was or would be created or
changed; it is downloadable as XLSX (ledger/imports/report.py).
"""

from django.db import models
from simple_history.models import HistoricalRecords


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", "已导入"  # every row valid; the changes were written
    VALIDATED = "validated", "试导入通过（未写入）"  # a dry run with no problems: nothing written
    REJECTED = "rejected", "有错误，未导入"  # at least one problem: nothing written


class ImportJob(models.Model):
    kind = models.CharField("导入类别", max_length=32)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件SHA-256", max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField("文件大小（字节）")
    dry_run = models.BooleanField("试导入（不写入）", default=False)
    # The agency the import is for; blank when an administrator imported rows naming their agencies.
    agency = models.ForeignKey(
        "ledger.Agency", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField("行政区划代码", max_length=12, blank=True)
    created_by = models.ForeignKey("ledger.User", verbose_name="导入人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间")
    status = models.CharField("结果", max_length=12, choices=ImportStatus.choices)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_created = models.PositiveIntegerField("新增", default=0)
    rows_updated = models.PositiveIntegerField("更新", default=0)
    rows_unchanged = models.PositiveIntegerField("无变化", default=0)
    problem_count = models.PositiveIntegerField("问题数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    report = models.JSONField("导入报告", default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "台账导入"
        ordering = ["-id"]
        indexes = [models.Index(fields=["agency", "created_at"], name="importjob_agency_created")]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"
