from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.actions import do_update_profile
from accounts.models import Profile, User


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (allauth calls `signup`)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_("Shown on your stories and comments. You can change it later."),
    )

    def signup(self, request: Any, user: User) -> None:
        do_update_profile(user, self.cleaned_data.get("display_name", ""), user.profile.bio)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}
