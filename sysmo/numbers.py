"""Numbers written in the active language with the same text as Django's number formatting, for the pages
that write thousands of them (a year's report at 250 operators has ~3,700 figures).

`django.utils.formats.number_format` looks every format setting up again on each call (the language, the
format modules, the settings): ~30 µs a number. Here the separators are read once per language and the
number is written by Python's own formatting. Only the cases whose text is plainly the same are written
here (an int grouped by threes; a float with a fixed number of decimals and no grouping); any other goes
to Django.
"""

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, translation

_SEPARATORS = {}


def _separators():
    """(decimal separator, thousands separator, grouping) of the active language, read once."""
    language = translation.get_language()
    found = _SEPARATORS.get(language)
    if found is None:
        found = _SEPARATORS[language] = tuple(
            formats.get_format(name, language, use_l10n=True)
            for name in ("DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR", "NUMBER_GROUPING"))
    return found


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    if setting in {"LANGUAGE_CODE", "LANGUAGES", "FORMAT_MODULE_PATH", "USE_THOUSAND_SEPARATOR",
                   "DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR", "NUMBER_GROUPING"}:
        _SEPARATORS.clear()


def grouped(value):
    """An int with thousands separators in the active language: the text of humanize's `intcomma`
    (1.234.567 in Spanish, 1,234,567 in English). Anything but an int goes to intcomma."""
    if type(value) is not int:
        return intcomma(value)
    _decimal, thousands, grouping = _separators()
    if grouping != 3:
        return intcomma(value)
    return f"{value:,}".replace(",", thousands)


def decimal(value, places):
    """A number with `places` decimals in the active language, without thousands separators unless the
    project uses them: the text of `number_format(value, decimal_pos=places, use_l10n=True)` (12,5 in Spanish,
    12.5 in English). `value` is rounded to `places` already."""
    if settings.USE_THOUSAND_SEPARATOR or type(value) not in (int, float) or abs(value) >= 1e15:
        return formats.number_format(value, decimal_pos=places, use_l10n=True)
    text = f"{value:.{places}f}"
    return text.replace(".", _separators()[0]) if places else text
