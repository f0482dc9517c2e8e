"""One table of what search must and must not find, run as it is on SQLite and on PostgreSQL.

Each row files one request with `text` (its subject, or an internal comment for `internal(...)` rows), indexes it
and searches it through `tickets.search.matching` on whatever database the run uses (DATABASE_URL), as a client
and as staff. CI runs the suite on both databases, so a row that passes on one and fails on the other is a
failure of the one rule: every word must match; the last word as typed also matches as a prefix; Spanish
plurals match their singular (z → c, accents that move); accents and case never matter.
"""

from dataclasses import dataclass

import pytest

from tickets import search
from tickets.models import Ticket
from tickets.tests.factories import InterventionFactory, TicketFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class internal:  # noqa: N801 - reads as a marker in the table
    """Text of an internal comment: staff may find it, a client never does."""

    text: str


FOUND, NOT_FOUND = True, False

# (singular, plural): each is searched for the other, as the last word (prefix allowed) and before another
# word (where only the whole word counts), so a plural never matches by being a prefix of its singular.
PLURALS = [
    ("luz", "luces"), ("lápiz", "lápices"), ("vez", "veces"), ("pez", "peces"), ("voz", "voces"),
    ("raíz", "raíces"), ("nariz", "narices"), ("cruz", "cruces"), ("actriz", "actrices"), ("matiz", "matices"),
    ("capaz", "capaces"), ("feliz", "felices"), ("disfraz", "disfraces"),
    ("régimen", "regímenes"), ("examen", "exámenes"), ("joven", "jóvenes"), ("origen", "orígenes"),
    ("imagen", "imágenes"), ("volumen", "volúmenes"), ("resumen", "resúmenes"), ("orden", "órdenes"),
    ("margen", "márgenes"), ("crimen", "crímenes"), ("certamen", "certámenes"), ("dictamen", "dictámenes"),
    ("canción", "canciones"), ("camión", "camiones"), ("gestión", "gestiones"), ("facturación", "facturaciones"),
    ("conexión", "conexiones"), ("razón", "razones"), ("avión", "aviones"), ("botón", "botones"),
    ("inglés", "ingleses"), ("interés", "intereses"), ("país", "países"), ("mes", "meses"), ("autobús", "autobuses"),
    ("compás", "compases"), ("francés", "franceses"), ("carácter", "caracteres"),
    ("ley", "leyes"), ("rey", "reyes"), ("buey", "bueyes"),
    ("papel", "papeles"), ("mujer", "mujeres"), ("árbol", "árboles"), ("reloj", "relojes"), ("pared", "paredes"),
    ("ciudad", "ciudades"), ("solicitud", "solicitudes"), ("dólar", "dólares"), ("motor", "motores"),
    ("impresora", "impresoras"), ("cliente", "clientes"), ("problema", "problemas"), ("dulce", "dulces"),
    ("clase", "clases"), ("serie", "series"), ("ave", "aves"), ("base", "bases"), ("bloque", "bloques"),
    ("sofá", "sofás"), ("menú", "menús"), ("café", "cafés"), ("rubí", "rubíes"), ("jabalí", "jabalíes"),
    ("pie", "pies"), ("factura", "facturas"), ("balanza", "balanzas"), ("cheque", "cheques"),
    ("ticket", "tickets"), ("router", "routers"), ("mail", "mails"), ("backup", "backups"), ("pc", "pcs"),
]


def plural_rows(singular, plural):
    for text, query in ((singular, plural), (plural, singular)):
        yield f"Revisar {text} del depósito", query, FOUND
        yield f"Revisar {text} del depósito", f"{query} depósito", FOUND
        yield f"Revisar {text} del depósito", f"{query.upper()} DEPOSITO", FOUND


CASES = [
    # The last word as typed matches as a prefix…
    ("Documentación pendiente", "documen", FOUND),
    ("Documentación pendiente", "pendiente documen", FOUND),
    ("Documentación pendiente", "DOCUMEN", FOUND),
    ("Nos llegó la factura de marzo", "factu", FOUND),
    ("Nos llegó la factura de marzo", "marzo factu", FOUND),
    ("La computadora no arranca", "computad", FOUND),
    ("La computadora no arranca", "arranca computado", FOUND),
    ("Regímenes de retención", "retencion regimene", FOUND),
    ("Actualizaciones del sistema", "actualizacione", FOUND),
    ("Lápices de colores", "lápi", FOUND),
    ("Lápices de colores", "colores lapic", FOUND),
    ("Configuración del módem", "configurac", FOUND),
    ("Configuración del módem", "configuració", FOUND),
    ("Migración de la base", "migracion bas", FOUND),
    ("Pingüino de peluche", "pingu", FOUND),
    ("Cañería rota", "cañe", FOUND),
    ("Cañería rota", "cane", FOUND),
    # … but a word that is not the last one must be a whole word (or its stem) …
    ("Documentación pendiente", "documen pendiente", NOT_FOUND),
    ("Nos llegó la factura de marzo", "factu marzo", NOT_FOUND),
    ("La computadora no arranca", "compu arranca", NOT_FOUND),
    ("La computadora no arranca", "computad arranca", FOUND),  # a stem: computadora → comput
    ("La impresora fiscal", "impre fiscal", NOT_FOUND),
    ("Nos llegó la factura de marzo", "factura marzo", FOUND),
    ("Nos llegó la factura de marzo", "facturas marzo", FOUND),
    # … and a prefix matches the start of a word, never its middle.
    ("Reimpresión de comprobantes", "impresion", NOT_FOUND),
    ("Reimpresión de comprobantes", "presion", NOT_FOUND),
    ("Reimpresión de comprobantes", "reimpresion", FOUND),
    ("Desconexión del servidor", "conexion", NOT_FOUND),
    ("Desconexión del servidor", "desconex", FOUND),
    # Accents and case never matter, on either side.
    ("GESTIÓN de cobros", "gestion cobros", FOUND),
    ("gestion de cobros", "GESTIÓN COBROS", FOUND),
    ("Año fiscal cerrado", "ano fiscal", FOUND),
    ("Ano fiscal cerrado", "año fiscal", FOUND),
    ("Pingüino de peluche", "PINGUINO peluche", FOUND),
    ("Categoría: Crédito", "credito categoria", FOUND),
    ("El módem está caído", "MODEM ESTA CAIDO", FOUND),
    ("Régimen de percepción", "RÉGIMEN PERCEPCIÓN", FOUND),
    ("Régimen de percepción", "regimen percepcion", FOUND),
    # Plurals in sentences, with accents that move.
    ("Se quemaron las luces del depósito", "luz deposito", FOUND),
    ("Falta luz en el depósito", "luces deposito", FOUND),
    ("Compramos lápices nuevos", "lapiz nuevos", FOUND),
    ("Se rompió el lápiz", "lápices", FOUND),
    ("Lo pedimos tres veces", "vez", FOUND),
    ("Otra vez sin sistema", "veces sistema", FOUND),
    ("Cambió el régimen de retenciones", "regímenes", FOUND),
    ("Los regímenes especiales", "régimen especial", FOUND),
    ("Los exámenes de ingreso", "examen ingreso", FOUND),
    ("Empleados jóvenes", "joven empleado", FOUND),
    ("Nuevas canciones", "canción nueva", FOUND),
    ("Llegaron dos camiones", "camion", FOUND),
    ("La impresora fiscal no imprime", "impresoras fiscales", FOUND),
    # Every word must match, in any order.
    ("La impresora fiscal no imprime", "fiscal impresora", FOUND),
    ("La impresora fiscal no imprime", "impresora escáner", NOT_FOUND),
    ("La impresora fiscal no imprime", "impresora fiscal caja", NOT_FOUND),
    ("La impresora fiscal no imprime", "caja impresora fiscal", NOT_FOUND),
    ("Falta luz en el depósito", "luz oficina", NOT_FOUND),
    # Unrelated words that only look alike are not found.
    ("Se quemaron las luces", "lucha", NOT_FOUND),
    ("La lucha por el cobro", "luces", NOT_FOUND),
    ("La lucha por el cobro", "luz", NOT_FOUND),
    ("Lucro cesante", "luces", NOT_FOUND),
    ("Lapso de espera", "lápices", NOT_FOUND),
    ("Nuevo vecino", "veces", NOT_FOUND),
    ("Fractura de muñeca", "factura", NOT_FOUND),
    ("Factura de marzo", "fractura", NOT_FOUND),
    ("Regimiento de infantería", "regímenes", NOT_FOUND),
    ("La impresora fiscal no imprime", "helicóptero", NOT_FOUND),
    ("La impresora fiscal no imprime", "impresorax", NOT_FOUND),
    ("Documentación pendiente", "documentoz", NOT_FOUND),
    # Words too common to narrow anything, or no words at all, find nothing.
    ("La impresora de la caja", "de la", NOT_FOUND),
    ("La impresora de la caja", "", NOT_FOUND),
    ("La impresora de la caja", "¿?¡! ***", NOT_FOUND),
    # Nothing typed is query syntax on either database.
    ("Impresora OR escáner", "impresora OR", FOUND),
    ("La impresora fiscal", 'impresora "OR" NEAR(fiscal) -*', NOT_FOUND),
    ("La impresora fiscal", "impresora & !fiscal", FOUND),
    ("La impresora fiscal", "impresora:* | fiscal", FOUND),
    ("Número 0001-00012345", "00012345", FOUND),
    ("Número 0001-00012345", "0001 0001234", FOUND),
    ("Número 0001-00012345", "0001234 0001", NOT_FOUND),
    # Internal comments: staff find them, a client never does.
    (internal("Cliente moroso: avisar a contaduría"), "morosos contaduria", FOUND),
    (internal("Cliente moroso: avisar a contaduría"), "moro", FOUND),
    (internal("Revisar las luces del depósito"), "luz depósito", FOUND),
    (internal("Cliente moroso: avisar a contaduría"), "moroso helicóptero", NOT_FOUND),
    *(row for pair in PLURALS for row in plural_rows(*pair)),
]


def case_id(case):
    text, query, expected = case
    where = "internal:" if isinstance(text, internal) else ""
    return f"{where}{getattr(text, 'text', text)}|{query}|{'found' if expected else 'not found'}"


@pytest.mark.parametrize(("text", "query", "expected"), CASES, ids=[case_id(case) for case in CASES])
def test_one_table_of_what_search_finds_on_every_database(text, query, expected):
    if isinstance(text, internal):
        ticket = TicketFactory(subject="Consulta", description="")
        InterventionFactory(ticket=ticket, author=ticket.requester, body=text.text, internal=True)
        client_expected = NOT_FOUND
    else:
        ticket = TicketFactory(subject=text, description="")
        client_expected = expected
    TicketFactory(subject="Otro pedido", description="Sin relación con nada de lo buscado.")
    search.refresh(Ticket.objects.values_list("pk", flat=True))

    def finds(include_internal):
        matches = search.matching(Ticket.objects.all(), query, include_internal=include_internal)
        return set(matches.values_list("pk", flat=True))

    assert finds(include_internal=True) == ({ticket.pk} if expected else set())
    assert finds(include_internal=False) == ({ticket.pk} if client_expected else set())
