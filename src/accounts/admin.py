"""The admin site, for administrators only, and only after their second factor.

The default admin site is given `StaffAdminSite` as its class (the pattern django-otp
documents), so that every admin page checks the second factor and the admin's own log-in
form, which would bypass throttling and TOTP, is replaced by a redirect to ours. The
account admin shows decrypted values to administrators (who may see every account) but
cannot add or delete accounts: staff are created with `pledge staff add` or
`pledge createsuperuser`, and erasure belongs to the privacy engine.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts import actions
from accounts.access import second_factor_satisfied
from accounts.models import User
from accounts.queries import is_administrator


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and second_factor_satisfied(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.user.is_authenticated and second_factor_satisfied(request):
            raise PermissionDenied("the admin site is for administrators")
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))


admin.site.__class__ = StaffAdminSite


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("username", "role", "account_manager", "is_active", "email_confirmed", "date_joined")
    list_filter = ("role", "is_active")
    ordering = ("-date_joined",)
    fields = (
        "username",
        "email",
        "role",
        "account_manager",
        "is_active",
        "email_verified_at",
        "date_joined",
        "last_login",
        "minimum_age_applied",
        "totp_confirmed_at",
    )
    readonly_fields = (
        "username",
        "email",
        "email_verified_at",
        "date_joined",
        "last_login",
        "minimum_age_applied",
        "totp_confirmed_at",
    )
    search_help_text = "Exact username or e-mail address (values are encrypted; look-up is by blind index)."
    search_fields = ("username",)  # enables the box; get_search_results does the real look-up
    actions = ("reset_second_factors",)

    @admin.display(boolean=True, description="e-mail confirmed")
    def email_confirmed(self, user: User) -> bool:
        return user.email_verified

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(**User.objects.lookup(term)), False

    # The role decides, not Django's permission tables: administrators view and change.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        actor = request.user
        assert isinstance(actor, User)
        changed = [name for name in form.changed_data if name != "role"]
        new_role = obj.role
        role_changed = change and "role" in form.changed_data
        if role_changed:
            obj.role = form.initial["role"]  # set_role applies it, with its side effects and audit
        super().save_model(request, obj, form, change)
        if role_changed:
            actions.set_role(user=obj, role=new_role, actor=actor)
        if changed:
            actions.record_admin_change(user=obj, changed=changed, actor=actor)

    @admin.action(description="Remove the second factor (they enrol again at next log-in)")
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user
        assert isinstance(actor, User)
        for user in queryset:
            actions.reset_second_factor(user=user, actor=actor)
