from django import template
from django.utils.html import format_html

from link.results import outcome_for
from link.widget import accent_colours

register = template.Library()


@register.simple_tag
def accent_style(team):
    """The team's accent as CSS custom properties (only ever a checked #rrggbb)."""
    accent, on_accent = accent_colours(team.accent_color if team else "")
    return format_html("<style>:root{{--accent:{};--on-accent:{}}}</style>", accent, on_accent)


@register.filter
def outcome(error_type):
    return outcome_for(error_type)


@register.simple_tag(takes_context=True)
def widget_team(context):
    """The team whose widget this is: given by the step, or the OAuth return page's session."""
    link_token = context.get("link_token")
    return context.get("team") or (link_token.team if link_token else None)
