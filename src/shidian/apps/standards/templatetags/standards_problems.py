from django import template

from shidian.apps.core.engine_messages import describe

register = template.Library()


@register.filter
def describe_problem(problem) -> str:
    """A standard file's problem as a sentence in the active language."""
    return describe(problem)
