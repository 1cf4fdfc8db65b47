from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imports.actions import check_import_upload

ACCEPT = ".docx,.epub,.md,.markdown,.txt,.html,.htm,.xhtml"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": _("Choose a file to import."),
            "empty": _("This file is empty."),
        },
    )

    file_name = ""

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        self.file_name = str(upload.name)
        return check_import_upload(upload)
