"""Reference data kept by administrators: calendar overrides and the LPR table."""

from django.db import models
from simple_history.models import HistoricalRecords


class CalendarOverride(models.Model):
    """An administrator's entry that wins over the chinesecalendar package (SPEC R2)."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    basis = models.CharField("依据", max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "日历调整"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'工作日' if self.is_workday else '休息日'}"


class LprRate(models.Model):
    """1-year LPR in force from a date (条例 2025 art. 17: an agreed rate may not be below it)."""

    effective_from = models.DateField("生效日期", unique=True)
    one_year = models.DecimalField("1年期LPR（年利率，%）", max_digits=6, decimal_places=3)
    basis = models.CharField("来源", max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "贷款市场报价利率"
        ordering = ["effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(one_year__gt=0), name="lpr_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from} {self.one_year}%"
