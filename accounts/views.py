from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import lockout, selectors, services
from accounts.forms import (
    AddressUnlockForm,
    PasswordChangeForm,
    PasswordResetByOwnerForm,
    UserCreateForm,
    UserUpdateForm,
)
from accounts.roles import ROLE_LABELS, user_role
from firstrun import services as firstrun_services
from jxc.backup import BackupError
from jxc.documents import form_kept

User = get_user_model()
MANAGE_USERS = "accounts.manage_users"


@permission_required(MANAGE_USERS, raise_exception=True)
def user_list(request):
    locked = selectors.locked_usernames()
    users = [
        (
            user,
            ROLE_LABELS.get(user_role(user), ""),
            lockout.normalize(user.username) in locked,
        )
        for user in selectors.user_list()
    ]
    return render(
        request,
        "accounts/user_list.html",
        {"users": users, "addresses": selectors.locked_addresses()},
    )


@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def user_unlock(request, pk):
    """Lift the lock that failed sign-ins put on an account, before its time."""
    user = get_object_or_404(selectors.managed_users(), pk=pk)
    services.account_unlock(user=user, acting_user=request.user)
    messages.success(
        request,
        _("Account “%(name)s” unlocked: it may sign in again.")
        % {"name": user.username},
    )
    return redirect("accounts:user_list")


@permission_required(MANAGE_USERS, raise_exception=True)
@require_POST
def address_unlock(request):
    """Lift the lock that failed sign-ins put on an address (the shop's network
    when a stranger guessed names from it), before its time."""
    form = AddressUnlockForm(request.POST)
    if form.is_valid():
        ip = form.cleaned_data["ip"]
        services.address_unlock(ip=ip, acting_user=request.user)
        messages.success(
            request,
            _("Address %(address)s unlocked: sign-ins from it are allowed again.")
            % {"address": ip},
        )
    else:
        messages.error(request, _("That is not an address. Nothing was unlocked."))
    return redirect("accounts:user_list")


@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None)
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            user = services.user_create(
                username=data["username"],
                password=data["password1"],
                role=data["role"],
                first_name=data["first_name"],
                shops=data["shops"],
                acting_user=request.user,
            )
            messages.success(
                request, _("Account “%(name)s” created.") % {"name": user.username}
            )
            return redirect("accounts:user_list")
    return render(
        request, "accounts/user_form.html", {"form": form, "title": _("New account")}
    )


@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_update(request, pk):
    user = get_object_or_404(selectors.managed_users(), pk=pk)
    initial = {
        "first_name": user.first_name,
        "role": user_role(user),
        "is_active": user.is_active,
        "shops": list(user.shops.all()),
    }
    form = UserUpdateForm(request.POST or None, initial=initial)
    with form_kept(form):
        if request.method == "POST" and form.is_valid():
            try:
                services.user_update(
                    user=user,
                    acting_user=request.user,
                    **form.cleaned_data,
                    last_name=user.last_name,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Account “%(name)s” saved.") % {"name": user.username}
                )
                return redirect("accounts:user_list")
    title = _("Edit account %(name)s") % {"name": user.username}
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "title": title, "object": user},
    )


@permission_required(MANAGE_USERS, raise_exception=True)
@require_http_methods(["GET", "POST"])
def user_password(request, pk):
    user = get_object_or_404(selectors.managed_users(), pk=pk)
    form = PasswordResetByOwnerForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_set_password(
            user=user,
            password=form.cleaned_data["password1"],
            acting_user=request.user,
        )
        messages.success(
            request, _("New password set for “%(name)s”.") % {"name": user.username}
        )
        return redirect("accounts:user_list")
    title = _("Set a new password for %(name)s") % {"name": user.username}
    return render(request, "accounts/user_form.html", {"form": form, "title": title})


class SignInView(auth_views.LoginView):
    """Django's sign-in page; after a successful sign-in the browser is remembered
    for that account (accounts.lockout: an address lock does not hold it back).
    The sign-in's audit entry is written by accounts.receivers.record_sign_in."""

    def form_valid(self, form):
        response = super().form_valid(form)
        lockout.remember_device(self.request, response, form.get_user().username)
        return response

    def get_success_url(self):
        """Where the sign-in goes; an owner's first sign-in on an empty shop, bound
        for the dashboard, opens the setup wizard instead (firstrun)."""
        url = super().get_success_url()
        if url == resolve_url(
            settings.LOGIN_REDIRECT_URL
        ) and firstrun_services.setup_open_at_sign_in(user=self.request.user):
            return reverse("firstrun:start")
        return url


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page for changing one's own password, writing through the accounts
    service (so the change is in the audit trail). The old password is checked
    under the sign-in limits (accounts.forms.PasswordChangeForm)."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            username = form.user.get_username()
            services.login_failure_record(
                username=username,
                ip=lockout.counted_ip(self.request, username),
                address=lockout.client_ip(self.request),
            )
        return super().form_invalid(form)

    def form_valid(self, form):
        services.user_set_password(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            acting_user=form.user,
        )
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


MANAGE_BACKUPS = "accounts.manage_backups"


@permission_required(MANAGE_BACKUPS, raise_exception=True)
@require_GET
def backup_list(request):
    """The backups, a button to take one now, and how to schedule and restore."""
    return render(
        request,
        "accounts/backup_list.html",
        {
            "backups": selectors.backup_list(),
            "keep": settings.JXC_BACKUP_KEEP,
            "folder": settings.JXC_BACKUP_DIR,
            "project": settings.BASE_DIR,
        },
    )


@permission_required(MANAGE_BACKUPS, raise_exception=True)
@require_POST
def backup_create(request):
    try:
        path = services.backup_take(acting_user=request.user)
    except (BackupError, OSError) as error:
        messages.error(
            request,
            _("The backup failed and nothing was written: %(reason)s")
            % {"reason": error},
        )
    else:
        messages.success(
            request,
            _("Backup %(name)s taken. Download it below and keep a copy off this PC.")
            % {"name": path.name},
        )
    return redirect("accounts:backup_list")


@permission_required(MANAGE_BACKUPS, raise_exception=True)
@require_GET
def backup_download(request, name):
    """One backup as a download (the export audit records who took it away)."""
    path = selectors.backup_path(name)
    if path is None:
        raise Http404(_("No such backup."))
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type="application/octet-stream",
    )
