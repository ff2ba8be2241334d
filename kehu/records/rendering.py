from django.forms.renderers import TemplatesSetting


class TablerFormRenderer(TemplatesSetting):
    """Every form renders with Tabler's markup (labels, widgets, errors beside the field)."""

    form_template_name = "forms/tabler.html"
