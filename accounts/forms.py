import math

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import lockout, selectors
from accounts.roles import ROLE_CHOICES, STAFF
from catalog.models import Shop
from jxc.forms import InputRulesMixin

User = get_user_model()


class SignInForm(InputRulesMixin, AuthenticationForm):
    """Django's sign-in form, refusing with a clear message while a lock holds
    (accounts.lockout); the password is not even checked then."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            lock = selectors.login_lock(
                username=username, ip=lockout.counted_ip(self.request, username)
            )
            if lock:
                raise forms.ValidationError(self.lock_message(lock), code="locked")
        return super().clean()

    @staticmethod
    def lock_message(lock) -> str:
        seconds = (lock.until - timezone.now()).total_seconds()
        minutes = max(1, math.ceil(seconds / 60))
        if lock.scope == lockout.ACCOUNT:
            text = ngettext(
                "Too many failed sign-ins: this account is locked. Try again in "
                "%(minutes)d minute, or ask the owner to unlock it.",
                "Too many failed sign-ins: this account is locked. Try again in "
                "%(minutes)d minutes, or ask the owner to unlock it.",
                minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins from this computer. Try again in "
                "%(minutes)d minute.",
                "Too many failed sign-ins from this computer. Try again in "
                "%(minutes)d minutes.",
                minutes,
            )
        return text % {"minutes": minutes}


class _CrispyForm(InputRulesMixin, forms.Form):
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


def _shops_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=_("Shops"),
        queryset=Shop.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A clerk sells, receives and counts only in these shops (none ticked: "
            "the shops kept, a new clerk in the first shop). The owner sees every "
            "shop."
        ),
    )


class UserCreateForm(_CrispyForm):
    username = forms.CharField(label=_("Username"), max_length=150, strip=True)
    first_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, initial=STAFF)
    shops = _shops_field()
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput, strip=False
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, strip=False
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("The username “%(name)s” is already taken."),
                params={"name": username},
            )
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            probe = User(
                username=data.get("username", ""), first_name=data.get("first_name", "")
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class UserUpdateForm(_CrispyForm):
    first_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES)
    shops = _shops_field()
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A deactivated account can no longer sign in; its history stays."),
    )


class PasswordResetByOwnerForm(_CrispyForm):
    submit_label = _("Set password")
    password1 = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput, strip=False
    )
    password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class PasswordChangeForm(InputRulesMixin, auth_forms.PasswordChangeForm):
    """Changing one's own password, the old one checked like a sign-in: while the
    account (or the address) is locked the form refuses without checking it. (The
    view counts a wrong old password as a failed sign-in.) So a session left open
    on a counter computer cannot be used to guess the password at leisure."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        username = self.user.get_username()
        ip = lockout.counted_ip(self.request, username)
        lock = selectors.login_lock(username=username, ip=ip)
        if lock:
            raise forms.ValidationError(SignInForm.lock_message(lock), code="locked")
        return super().clean_old_password()


class AddressUnlockForm(InputRulesMixin, forms.Form):
    """The address whose sign-in lock the owner lifts."""

    ip = forms.GenericIPAddressField()
