"""Admin for imports: the jobs (scoped like the API, read-only) and an upload form.

"Add" opens the upload form; the import runs through ``import_run`` exactly as from the API,
with the same rule that agency staff import only for their own agency.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ledger.admin_base import ScopedAdmin
from ledger.errors import DomainError
from ledger.imports.registry import kind_choices
from ledger.imports.report import report_xlsx, summary_line
from ledger.imports.services import import_run
from ledger.models import Agency, ImportJob, ImportStatus, Role
from ledger.selectors.scoping import agency_ids_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="台账文件（.xlsx 或 .csv）")
    kind = forms.ChoiceField(label="导入类别")
    agency = forms.ModelChoiceField(label="单位", queryset=Agency.objects.none(), required=False)
    dry_run = forms.BooleanField(label="试导入（只检查，不写入）", required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()
        if user.role == Role.AGENCY_STAFF and not user.is_superuser:
            self.fields["agency"].queryset = Agency.objects.filter(pk__in=agency_ids_for(user))
            self.fields["agency"].help_text = "不填则为本单位"
        else:
            self.fields["agency"].queryset = Agency.objects.all()
            self.fields["agency"].help_text = "不填则按各行所填单位导入"


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    admin_write_roles = frozenset({Role.AGENCY_STAFF, Role.ADMINISTRATOR})
    list_display = [
        "id",
        "kind",
        "file_name",
        "agency",
        "dry_run",
        "status",
        "rows_total",
        "problem_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status", "dry_run"]
    list_select_related = ["agency", "created_by"]
    search_fields = ["file_name", "file_sha256"]
    readonly_fields = [
        "kind",
        "file_name",
        "file_sha256",
        "file_size",
        "dry_run",
        "agency",
        "region_code",
        "created_by",
        "created_at",
        "finished_at",
        "status",
        "summary",
        "rows_total",
        "rows_created",
        "rows_updated",
        "rows_unchanged",
        "problem_count",
        "warning_count",
        "report_link",
    ]
    exclude = ["report"]

    def has_change_permission(self, request, obj=None):
        return False  # a job is a record of what happened: it never changes

    @admin.display(description="说明")
    def summary(self, obj):
        return summary_line(obj)

    @admin.display(description="导入报告")
    def report_link(self, obj):
        url = reverse("admin:ledger_importjob_report", args=[obj.pk])
        return format_html('<a href="{}">下载导入报告（XLSX）</a>', url)

    def get_urls(self):
        extra = [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="ledger_importjob_upload"),
            path("<int:pk>/report/", self.admin_site.admin_view(self.report_view), name="ledger_importjob_report"),
        ]
        return extra + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:ledger_importjob_upload")

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise Http404
        form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_run(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=upload,
                    file_name=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                    agency=form.cleaned_data["agency"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                level = messages.ERROR if job.status == ImportStatus.REJECTED else messages.SUCCESS
                self.message_user(request, summary_line(job), level)
                return redirect("admin:ledger_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "上传台账",
            "form": form,
            "opts": self.model._meta,
            "templates": [(key, label) for key, label in kind_choices()],
        }
        return TemplateResponse(request, "admin/ledger/importjob/upload.html", context)

    def report_view(self, request, pk):
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None:
            raise Http404
        response = HttpResponse(report_xlsx(job), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="import-report-{job.pk}.xlsx"'
        return response
