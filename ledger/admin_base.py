"""The admin is scoped exactly like the API: querysets go through the same selector."""

from simple_history.admin import SimpleHistoryAdmin

from ledger.models import Role
from ledger.selectors.scoping import owns_agency, tenancy_of, visible_to


class ScopedAdmin(SimpleHistoryAdmin):
    """Read: what the selector shows this user. Write: the model's `admin_write_roles`."""

    admin_write_roles: frozenset = frozenset({Role.ADMINISTRATOR})

    def get_queryset(self, request):
        return visible_to(request.user, super().get_queryset(request))

    def _can_write(self, request, obj=None) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        if user.role not in self.admin_write_roles:
            return False
        if obj is not None and user.role == Role.AGENCY_STAFF:
            path = tenancy_of(self.model).agency_path
            if path is None:
                return False
            agency_id = obj
            for part in path.split("__") if path else []:
                agency_id = getattr(agency_id, part)
            return owns_agency(user, getattr(agency_id, "pk", None))
        return True

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return self._can_write(request)

    def has_change_permission(self, request, obj=None):
        return self._can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Records are kept for history; only a superuser may delete, in the admin.
        return request.user.is_superuser
