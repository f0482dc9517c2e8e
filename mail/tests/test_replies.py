"""Reply-To tokens (mail.replies): signed for one thread, one person and one kind of notice."""

import pytest

from mail import replies


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_ADDRESS = "Soporte <soporte@sysmo.example.com.ar>"
    settings.SITE_URL = "https://tickets.sysmo.example.com.ar"


@pytest.mark.parametrize("thread, person, internal", [(1, 1, False), (42, 7, True), (10**9, 10**7, False)])
def test_a_token_reads_back_what_it_was_made_for_and_fits_a_local_part(thread, person, internal):
    address = replies.reply_address(thread, person, internal)
    local, domain = address.split("@")
    assert domain == "sysmo.example.com.ar"
    assert len(local) <= 64
    assert replies.token_in([address]) == replies.ReplyToken(thread, person, internal)
    # Mail servers may change the case of the local part; a display name around it changes nothing.
    assert replies.token_in([f"Sysmo <{address.upper()}>"]) == replies.ReplyToken(thread, person, internal)


def test_a_changed_token_is_not_ours():
    token = replies.make_token(42, 7, internal=False)
    thread, person, kind, signature = token.split("-")
    forged = {
        "another request": f"43-{person}-{kind}-{signature}",
        "another person": f"{thread}-8-{kind}-{signature}",
        "public made internal": f"{thread}-{person}-i-{signature}",
        "signature changed": f"{thread}-{person}-{kind}-{signature[:-1]}{'a' if signature[-1] != 'a' else 'b'}",
        "no signature": f"{thread}-{person}-{kind}",
        "garbage": "hola",
    }
    for case, value in forged.items():
        assert replies.read_token(value) is None, case


def test_a_token_made_with_another_secret_key_is_refused(settings):
    token = replies.make_token(42, 7)
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert replies.read_token(token) is None


def test_only_addresses_of_the_inbound_mailbox_count():
    token = replies.make_token(42, 7)
    assert replies.token_in([f"soporte+{token}@otro-dominio.com"]) is None
    assert replies.token_in([f"ventas+{token}@sysmo.example.com.ar"]) is None
    assert replies.tags_of(["soporte+facturacion@sysmo.example.com.ar", "SOPORTE@SYSMO.example.com.ar",
                            "otra@sysmo.example.com.ar"]) == ["facturacion", ""]


def test_every_email_of_a_thread_answers_the_same_root():
    assert replies.thread_headers(42) == {"In-Reply-To": "<solicitud-42@tickets.sysmo.example.com.ar>",
                                          "References": "<solicitud-42@tickets.sysmo.example.com.ar>"}
    assert replies.thread_root(42) != replies.thread_root(43)
