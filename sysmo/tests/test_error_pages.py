"""Every error answers with the product's own page, in the user's language, saying what went wrong and what
to do — never Django's bare English "Bad Request", "Forbidden", "Not Found" or "Server Error" page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import ClientFactory, OperatorFactory, verified
from topics.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db

NEW_REQUEST = reverse("tickets:create")
BARE = ("Bad Request (400)", "<h1>Forbidden", "<h1>Not Found</h1>", "Server Error (500)", "CSRF verification failed")

LANGUAGES = {
    # language: (how the browser asks for it, what our layout says in it)
    "es-ar": ({"HTTP_ACCEPT_LANGUAGE": "es-AR,es;q=0.9"}, "Volver al inicio"),
    "en": ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, "Back to home"),
}


@pytest.fixture
def requester():
    user = verified(ClientFactory())
    TopicFactory(operators=[OperatorFactory()])
    return user


def huge_text_field(browser, settings):
    return browser.post(NEW_REQUEST, {"subject": "x" * (4 * 1024 * 1024), "description": "d"})


def too_many_fields(browser, settings):
    return browser.post(NEW_REQUEST, {f"campo{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)})


def too_many_query_parameters(browser, settings):
    query = "&".join(f"p{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    return browser.get(f"{reverse('tickets:inbox')}?{query}")


def too_many_files(browser, settings):
    files = [SimpleUploadedFile(f"f{n}.txt", b"hola") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    return browser.post(NEW_REQUEST, {"subject": "Asunto", "files": files})


def upload_beyond_the_limits(browser, settings):
    """More than a valid form could ever carry: ATTACHMENT_MAX_FILES files of ATTACHMENT_MAX_SIZE_MB each."""
    settings.ATTACHMENT_MAX_SIZE_MB = 1
    settings.ATTACHMENT_MAX_FILES = 2
    big = SimpleUploadedFile("grande.pdf", b"%PDF-1.4\n" + b"0" * (8 * 1024 * 1024))
    return browser.post(NEW_REQUEST, {"subject": "Asunto", "description": "d", "files": [big]})


OVERSIZED = {
    # case: (how it is sent, what the page says was wrong — in Spanish, then in English)
    "a huge text field": (huge_text_field, "El texto que enviaste es demasiado largo"),
    "too many fields": (too_many_fields, "El formulario llegó con demasiados campos"),
    "too many query parameters": (too_many_query_parameters, "El formulario llegó con demasiados campos"),
    "too many files": (too_many_files, "Enviaste demasiados archivos juntos"),
    "an upload beyond the limits": (upload_beyond_the_limits, "Lo que enviaste es demasiado grande"),
}


def looks_like_ours(response, language):
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}">' in page
    assert "Sysmo Tickets" in page and 'class="site-header"' in page  # our layout
    assert LANGUAGES[language][1] in page
    for bare in BARE:
        assert bare not in page
    return page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", OVERSIZED)
def test_oversized_input_answers_our_page_saying_what_was_too_large(case, language, requester, settings):
    send, says = OVERSIZED[case]
    browser = Client(**LANGUAGES[language][0])
    browser.force_login(requester)

    response = send(browser, settings)

    assert response.status_code == 400
    page = looks_like_ours(response, language)
    if language == "es-ar":
        assert says in page
    assert response.context["reason"]  # a specific explanation, not the generic one


def test_the_language_cookie_wins_over_the_browser(requester, settings):
    browser = Client(HTTP_ACCEPT_LANGUAGE="es-AR")
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    browser.force_login(requester)

    response = huge_text_field(browser, settings)

    looks_like_ours(response, "en")


def test_the_limits_shown_are_the_configured_ones(requester, settings):
    browser = Client()
    browser.force_login(requester)

    page = upload_beyond_the_limits(browser, settings).content.decode()

    assert "hasta 2 archivos de hasta 1,0\xa0MB cada uno" in page


def test_a_form_within_the_limits_is_not_refused(requester, settings):
    settings.ATTACHMENT_MAX_SIZE_MB = 1
    settings.ATTACHMENT_MAX_FILES = 2
    browser = Client()
    browser.force_login(requester)
    small = SimpleUploadedFile("chico.pdf", b"%PDF-1.4\n" + b"0" * (900 * 1024))

    response = browser.post(NEW_REQUEST, {"subject": "Asunto", "description": "d", "files": [small]})

    assert response.status_code == 200  # the form answers (the topic is missing), not an error page


def forged_csrf(browser):
    return browser.post(reverse("accounts:profile"), {"full_name": "x"})


def not_found(browser):
    return browser.get("/no-existe/")


def request_not_visible(browser):
    return browser.get(reverse("tickets:detail", args=[999999]))


def admin_for_a_client(browser):
    return browser.get("/admin/", follow=True)


def bad_request(browser):
    return browser.post(NEW_REQUEST, b"--x\r\nbroken", content_type="multipart/form-data")  # no boundary


OTHER_ERRORS = {
    # case: (how it happens, status, what the page says in Spanish)
    "a form sent without its CSRF token": (forged_csrf, 403, "El formulario venció"),
    "a page that does not exist": (not_found, 404, "No encontramos esta página"),
    "a request the user may not see": (request_not_visible, 404, "No encontramos esta página"),
    "the admin for a client": (admin_for_a_client, 403, "No tenés permiso para ver esta página"),
    "a malformed upload": (bad_request, 400, "No pudimos entender el pedido"),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", OTHER_ERRORS)
def test_other_errors_answer_our_page_too(case, language, requester):
    happen, status, says = OTHER_ERRORS[case]
    browser = Client(enforce_csrf_checks=happen is forged_csrf, **LANGUAGES[language][0])
    browser.force_login(requester)

    response = happen(browser)

    assert response.status_code == status
    page = looks_like_ours(response, language)
    if language == "es-ar":
        assert says in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_server_error_answers_our_page(language, requester, settings):
    settings.ROOT_URLCONF = "sysmo.tests.urls_that_fail"
    browser = Client(raise_request_exception=False, **LANGUAGES[language][0])
    browser.force_login(requester)

    response = browser.get("/falla/")

    assert response.status_code == 500
    page = looks_like_ours(response, language)
    if language == "es-ar":
        assert "Algo salió mal" in page


def test_a_server_error_with_the_database_down_still_answers_a_page(settings, monkeypatch):
    """The 500 page must not need what may have failed: no user, no session, no database."""
    from sysmo import errors

    settings.ROOT_URLCONF = "sysmo.tests.urls_that_fail"

    def no_database(*args, **kwargs):
        raise ConnectionError("database is gone")

    monkeypatch.setattr(errors, "_with_user", no_database)
    response = Client(raise_request_exception=False).get("/falla/")

    assert response.status_code == 500
    assert "Algo salió mal" in response.content.decode()
