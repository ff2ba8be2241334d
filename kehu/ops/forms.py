"""The chat robot's and the webhook subscriber's forms: their addresses and secrets are typed
in, never shown again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kehu.ops.models import ChatRobot, WebhookEvent, WebhookSubscriber
from kehu.ops.reminders import registered_kinds
from kehu.ops.robots import check_kinds
from kehu.ops.webhooks import check_events, check_secret


class ChatRobotForm(forms.ModelForm[ChatRobot]):
    webhook_url = forms.CharField(
        label=_("webhook address"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Copied from the robot's settings in the group chat."),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "DingTalk (加签) and Feishu (签名校验): the secret of the robot's security "
            "settings. WeCom: leave empty."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = ChatRobot
        fields = ["name", "platform", "webhook_url", "secret", "unit", "kinds", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kinds"] = forms.MultipleChoiceField(
            label=_("reminder kinds"),
            required=False,
            choices=registered_kinds(),
            widget=forms.CheckboxSelectMultiple,
            help_text=_("None ticked: every kind."),
        )
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.empty_label = str(_("Whole organisation"))
        if self.instance.pk is not None:
            self.initial["webhook_url"] = ""
            self.fields["webhook_url"].help_text = _(
                "Stored: %(shown)s. Leave empty to keep it, or paste a new address."
            ) % {"shown": self.instance.webhook_shown}
            self.fields["secret"].help_text = (
                _("A secret is stored; leave empty to keep it.")
                if self.instance.secret
                else self.fields["secret"].help_text
            )
        else:
            self.fields["webhook_url"].required = True
            del self.fields["clear_secret"]

    def clean_kinds(self) -> list[str]:
        try:
            return check_kinds(list(self.cleaned_data.get("kinds") or []))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["kinds"]) from None

    def clean(self) -> dict[str, Any]:
        """The model's checks (kehu.ops.robot_platforms) see the address and secret in force:
        the typed ones, else the stored ones."""
        data = super().clean() or {}
        if data.get("webhook_url"):
            self.instance.webhook_url = data["webhook_url"].strip()
        if data.get("clear_secret"):
            self.instance.secret = ""
        elif data.get("secret"):
            self.instance.secret = data["secret"]
        return data


class WebhookSubscriberForm(forms.ModelForm[WebhookSubscriber]):
    """A subscriber's address and secret are typed in, never shown again."""

    url = forms.CharField(
        label=_("address"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The integrator's receiving address, http:// or https://."),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 16 characters, agreed with the integrator: each delivery is signed "
            "with it (HMAC-SHA256)."
        ),
    )

    class Meta:
        model = WebhookSubscriber
        fields = ["name", "url", "secret", "events", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["events"] = forms.MultipleChoiceField(
            label=_("events"),
            choices=WebhookEvent.choices,
            widget=forms.CheckboxSelectMultiple,
        )
        if self.instance.pk is not None:
            self.initial["url"] = ""
            self.fields["url"].help_text = _(
                "Stored: %(shown)s. Leave empty to keep it, or enter a new address."
            ) % {"shown": self.instance.url_shown}
            self.fields["secret"].help_text = _("A secret is stored; leave empty to keep it.")
        else:
            self.fields["url"].required = True
            self.fields["secret"].required = True

    def clean_events(self) -> list[str]:
        try:
            return check_events(list(self.cleaned_data.get("events") or []))
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["events"]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("url"):
            self.instance.url = data["url"].strip()
        if data.get("secret"):
            try:
                check_secret(data["secret"])
            except forms.ValidationError as error:
                self.add_error("secret", error.message_dict["secret"])
            self.instance.secret = data["secret"]
        return data
