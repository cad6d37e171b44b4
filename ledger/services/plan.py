"""Plan-task progress, recorded by supervisors (the justice bureau leads tasks 15–19)."""

from datetime import date

from django.db import transaction

from ledger.models import PlanTask, PlanTaskProgress, User


@transaction.atomic
def plan_progress_record(
    *, actor: User, task: PlanTask, reported_on: date, percent_done: int, summary: str
) -> PlanTaskProgress:
    return PlanTaskProgress.objects.create(
        task=task, reported_on=reported_on, percent_done=percent_done, summary=summary, recorded_by=actor
    )
