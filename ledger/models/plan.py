"""Action-plan tasks (行动方案任务) and their progress."""

from django.db import models
from simple_history.models import HistoricalRecords


class PlanTask(models.Model):
    plan = models.CharField("行动方案", max_length=100)
    number = models.PositiveIntegerField("序号")
    section = models.CharField("所属部分", max_length=200, blank=True)
    title = models.CharField("任务", max_length=300)
    body = models.TextField("内容")
    deadline_text = models.CharField("时限（原文）", max_length=100, blank=True)
    responsible_agencies = models.ManyToManyField(
        "ledger.Agency", verbose_name="责任单位", related_name="responsible_tasks", blank=True
    )
    responsible_groups = models.ManyToManyField(
        "ledger.UnitGroup", verbose_name="责任单位（集合）", related_name="responsible_tasks", blank=True
    )
    cooperating_agencies = models.ManyToManyField(
        "ledger.Agency", verbose_name="配合单位", related_name="cooperating_tasks", blank=True
    )
    cooperating_groups = models.ManyToManyField(
        "ledger.UnitGroup", verbose_name="配合单位（集合）", related_name="cooperating_tasks", blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "行动方案任务"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_task_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class PlanTaskProgress(models.Model):
    task = models.ForeignKey(PlanTask, verbose_name="任务", on_delete=models.PROTECT, related_name="progress")
    reported_on = models.DateField("报告日期")
    percent_done = models.PositiveSmallIntegerField("完成进度（%）")
    summary = models.TextField("进展情况")
    recorded_by = models.ForeignKey("ledger.User", verbose_name="记录人", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "任务进展"
        ordering = ["task_id", "reported_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent_done__lte=100), name="plan_progress_percent_max_100"),
        ]
