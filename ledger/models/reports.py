"""What supervisors and auditors keep: saved filters, export jobs and published report snapshots.

- A saved filter is a user's own named query string for one list (SPEC §1: auditors write
  nothing but saved filters and exports).
- An export job is an export too large to stream in the request; a scheduler runs
  ``manage.py run_export_jobs`` and the owner downloads the file when it is done.
- A report snapshot is a published report frozen as it was (SPEC §2): its JSON document is
  stored as text, byte for byte, so it can be shown again after back-dated corrections.
"""

from collections.abc import Mapping

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class SavedFilter(models.Model):
    owner = models.ForeignKey("ledger.User", verbose_name="所有人", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("名称", max_length=100)
    # The list it applies to: the route's basename ("obligation", "contract", …).
    resource = models.CharField("列表", max_length=40)
    query = models.CharField("筛选条件（查询字符串）", max_length=2000, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "保存的筛选条件"
        ordering = ["owner_id", "resource", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "resource", "name"], name="saved_filter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel（XLSX）"


class ExportJobStatus(models.TextChoices):
    PENDING = "pending", "排队中"  # waiting for the scheduler's run_export_jobs
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"  # final: the file is ready for its owner
    FAILED = "failed", "失败"  # final: see ``error``; the owner asks again


EXPORT_JOB_TRANSITIONS: Mapping[str, frozenset[str]] = {
    ExportJobStatus.PENDING: frozenset({ExportJobStatus.RUNNING}),
    ExportJobStatus.RUNNING: frozenset({ExportJobStatus.DONE, ExportJobStatus.FAILED}),
    ExportJobStatus.DONE: frozenset(),
    ExportJobStatus.FAILED: frozenset(),
}


class ExportJob(models.Model):
    """A large export run in the background with the same filters as the list it came from."""

    user = models.ForeignKey("ledger.User", verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    resource = models.CharField("列表", max_length=40)
    # The list's query string as asked, with as_of fixed to the day of the request.
    query = models.CharField("筛选条件（查询字符串）", max_length=2000, blank=True)
    format = models.CharField("格式", max_length=8, choices=ExportFormat.choices)
    encoding = models.CharField("CSV编码", max_length=10, default="utf-8")
    status = models.CharField("状态", max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.PENDING)
    expected_rows = models.PositiveIntegerField("申请时行数")
    row_count = models.PositiveIntegerField("导出行数", null=True, blank=True)
    sheets = models.PositiveSmallIntegerField("工作表数", null=True, blank=True)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", max_length=200, blank=True)
    filename = models.CharField("下载文件名", max_length=200, blank=True)
    error = models.CharField("失败原因", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "导出任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="export_job_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(row_count__isnull=False) & ~Q(file="")),
                name="export_job_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.format} #{self.pk}"


class ReportSnapshot(models.Model):
    """A published report, frozen. Never updated or deleted (no endpoint does either)."""

    kind = models.CharField("报表", max_length=40)
    title = models.CharField("标题", max_length=200)
    params = models.JSONField("参数")
    as_of = models.DateField("统计日期")
    created_at = models.DateTimeField("发布时间")
    created_by = models.ForeignKey("ledger.User", verbose_name="发布人", on_delete=models.PROTECT, related_name="+")
    # The whole published document as UTF-8 JSON text (not a JSONField: PostgreSQL's jsonb would
    # reorder keys, and what was published must come back byte for byte).
    document = models.TextField("发布内容（JSON）")
    sha256 = models.CharField("SHA-256", max_length=64)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "已发布报表快照"
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "as_of"], name="report_snapshot_kind_as_of")]

    def __str__(self) -> str:
        return f"{self.title}（{self.as_of}）"
