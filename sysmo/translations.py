"""Translations looked up once per process: the same text, in the same language, answers the same.

Django's translation of a language is its catalogue plus a chain of fallbacks, one per app that ships that
language (seven for es-AR here). The source strings are Spanish, so in Spanish almost every lookup misses
the catalogue and walks the whole chain before returning the text as it was: ~200 lookups per tray page,
about a tenth of its CPU (issue 19, measured with cProfile). `remember()` makes each translation object
remember its answers (`gettext` only; plurals are rare and keep their path). The memory is per object:
activating another language, or Django reloading its catalogues, uses other objects. It holds at most
MAX_REMEMBERED texts per language, so texts built at run time cannot grow it without bound.
"""

from django.utils.translation import trans_real

MAX_REMEMBERED = 20_000


def remember():
    """Install the remembering `gettext` on Django's translation class (idempotent)."""
    translation_class = trans_real.DjangoTranslation
    if getattr(translation_class.gettext, "remembers", False):
        return
    looked_up = translation_class.gettext

    def gettext(self, message):
        answers = self.__dict__.get("_remembered")
        if answers is None:
            answers = self.__dict__["_remembered"] = {}
        try:
            return answers[message]
        except KeyError:
            answer = looked_up(self, message)
            if type(answer) is str and len(answers) < MAX_REMEMBERED:  # never a SafeString: safety follows the input
                answers[message] = answer
            return answer

    gettext.remembers = True
    translation_class.gettext = gettext
