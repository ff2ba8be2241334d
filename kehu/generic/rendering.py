from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_noop

# Django 6.1's empty choice label is not in Django's own zh_Hans catalog yet; naming it here
# keeps it in Kehu's catalog (makemessages), which takes precedence over Django's.
DJANGO_STRINGS = [gettext_noop("- Select an option -")]


class TablerFormRenderer(TemplatesSetting):
    """Every form renders with Tabler's markup (labels, widgets, errors beside the field)."""

    form_template_name = "forms/tabler.html"
