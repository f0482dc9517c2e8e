"""Building blocks shared by `seed_demo` and `generate_tickets`: Spanish texts, people, CUITs and ticket lives.

Everything here is plain Python over ids and epoch seconds, so the same code serves the ORM (a demo of
fifty requests) and the bulk writer (a million). Randomness always comes from a seeded `random.Random`;
people are picked with `seq[int(random() * len(seq))]`, which draws exactly one number whatever the
length, so a seed yields the same texts even when the database already holds other operators.
"""

import math
import random
import unicodedata
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import NamedTuple

from faker import Faker
from stdnum.ar import cuit as stdnum_cuit

from tickets.models import EventKind, State

DEMO_PASSWORD = "demo-sysmo-2026"  # noqa: S105 (the documented password of every demo user)

HOUR = 3600
DAY = 24 * HOUR
NEVER = math.inf


@dataclass(frozen=True)
class TopicSpec:
    """A temática we know how to write requests for, and how long its requests usually take."""

    name: str
    description: str
    text_key: str
    resolution_hours: float
    weight: float


TOPIC_CATALOGUE = (
    TopicSpec("Soporte técnico", "Computadoras, impresoras, correo y programas de la oficina.", "support", 20, 30),
    TopicSpec("Facturación", "Facturas, notas de crédito, pagos y cuenta corriente.", "billing", 10, 20),
    TopicSpec("Reclamos", "Demoras, visitas no realizadas o una atención que no fue la esperada.", "complaints", 48, 8),
    TopicSpec("Redes y conectividad", "Internet, wifi, VPN y telefonía IP.", "network", 16, 17),
    TopicSpec("Cuentas y accesos", "Altas, bajas, permisos y blanqueos de contraseña.", "accounts", 4, 12),
    TopicSpec("Sistema de gestión", "Stock, ventas, caja y factura electrónica del sistema de gestión.", "erp", 30, 13),
)
GENERIC_TEXT_KEY = "generic"
GENERIC_RESOLUTION_HOURS = 24
GENERIC_WEIGHT = 10


# --- CUIT, phones and emails ---------------------------------------------------------------

def cuit_from_body(prefix, body):
    """Return the formatted CUIT for a type prefix and an 8-digit body, or None when we avoid it.

    python-stdnum writes 9 both for a true 9 and for remainder 10, a number AFIP never issues;
    skipping every 9 keeps us clear of the second without re-implementing the check digit.
    """
    digits = f"{prefix}{body:08d}"
    check = stdnum_cuit.calc_check_digit(digits)
    if check == "9":
        return None
    return stdnum_cuit.format(digits + check)


def company_cuits(rng, count, taken=()):
    """Return `count` distinct company CUITs (prefix 30), none of them in `taken`."""
    used = set(taken)
    cuits = []
    while len(cuits) < count:
        cuit = cuit_from_body("30", 50_000_000 + int(rng.random() * 22_000_000))
        if cuit and cuit not in used:
            used.add(cuit)
            cuits.append(cuit)
    return cuits


AREA_CODES = ("11", "11", "11", "221", "261", "341", "351", "381", "223", "299")


def mobile_phone(rng):
    """An Argentine mobile number in E.164: +54 9, the area code, then the subscriber number."""
    area = AREA_CODES[int(rng.random() * len(AREA_CODES))]
    digits = 10 - len(area)
    subscriber = int((4 + rng.random() * 5) * 10 ** (digits - 1))
    return f"+549{area}{subscriber}"


def ascii_slug(text, separator=""):
    """Lowercase ASCII letters and digits of `text`, words joined by `separator` (for emails)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in plain.lower()).split()
    return separator.join(words)


# --- Spanish texts -------------------------------------------------------------------------

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")

VOCABULARY = {
    "desde": ("desde esta mañana", "desde ayer", "desde el lunes", "desde que se cortó la luz",
              "desde la actualización de anoche", "desde hace unos días", "desde el viernes a la tarde"),
    "intento": ("Ya probamos reiniciar y sigue igual.", "Probé apagar y prender, pero no hubo caso.",
                "Revisamos los cables y están bien conectados.", "No hicimos ningún cambio.",
                "A otra persona de la oficina le pasa lo mismo.", "Es urgente porque hoy cerramos el mes."),
    "sintoma_impresora": ("Queda la hoja atascada adentro.", "Aparece el mensaje «Error de papel».",
                          "Los trabajos quedan en cola y no sale nada.", "Imprime las hojas en blanco.",
                          "Hace un ruido fuerte y se apaga."),
    "dispositivo": ("Outlook", "el celular", "la notebook", "el webmail", "Thunderbird"),
    "error_correo": ("dice que la contraseña es incorrecta", "queda cargando y no termina nunca",
                     "aparece un error de certificado", "no llegan los correos nuevos",
                     "los mensajes quedan en la bandeja de salida"),
    "programa": ("Adobe Reader", "el sistema de facturación", "el antivirus", "LibreOffice", "AnyDesk",
                 "el controlador de la impresora fiscal", "la aplicación del Banco Nación"),
    "frecuencia": ("dos o tres veces por día", "cada vez que abro el sistema", "de vez en cuando",
                   "cuando conecto el proyector", "todas las mañanas"),
    "equipo": ("el servidor", "la impresora fiscal", "el router", "la central telefónica", "la PC de la caja"),
    "tipo_factura": ("A", "B", "C"),
    "problema_factura": ("el importe no coincide con lo presupuestado", "figura un servicio que no contratamos",
                         "salió con la razón social equivocada", "está duplicada",
                         "no nos llegó por correo, solo la vimos en el portal"),
    "condicion_iva": ("responsables inscriptos", "monotributistas", "exentos"),
    "tono": ("Necesitamos una solución urgente.", "Es la segunda vez que pasa este mes.",
             "Queremos hablar con un responsable.", "Por favor, avisen cuándo lo pueden resolver.",
             "Esperamos una respuesta concreta."),
    "tema_reclamo": ("el cambio de plan", "la reparación de la impresora", "la instalación del cableado",
                     "la devolución del equipo", "el presupuesto que pedimos"),
    "duracion": ("toda la mañana", "más de cuatro horas", "dos días", "todo el fin de semana"),
    "hora": ("9 y 12", "10 y 13", "14 y 17", "15 y 18"),
    "intento_red": ("Ya reiniciamos el router y no volvió.", "Las luces del módem están en rojo.",
                    "Por cable anda, pero por wifi no.", "El proveedor dice que de su lado está todo bien."),
    "error_vpn": ("dice «tiempo de espera agotado»", "pide la contraseña una y otra vez",
                  "conecta pero no veo las carpetas compartidas", "se desconecta a los cinco minutos"),
    "carpeta": ("Administración", "Compras", "Recursos Humanos", "Ventas 2025", "Proveedores"),
    "error_afip": ("Error 10016: el número de comprobante no es correlativo", "No se pudo obtener el CAE",
                   "El certificado digital está vencido", "Tiempo de espera agotado con el servicio de ARCA"),
    "producto": ("resmas A4", "cartuchos de tóner", "yerba de 1 kg", "cable UTP", "bolsas de cemento"),
    "accion": ("cerrar la caja", "imprimir el listado de precios", "buscar un cliente por CUIT",
               "exportar a Excel", "anular un comprobante"),
    "solucion_support": ("reinstalamos el controlador", "reemplazamos el cable de alimentación",
                         "liberamos espacio en el disco", "reconfiguramos la cuenta de correo",
                         "cambiamos el rodillo de la impresora"),
    "solucion_billing": ("emitimos la nota de crédito correspondiente", "imputamos el pago a la factura",
                         "corregimos la razón social para las próximas facturas",
                         "enviamos la cuenta corriente actualizada"),
    "solucion_complaints": ("reprogramamos la visita y el técnico ya pasó",
                            "bonificamos el servicio del mes en la próxima factura",
                            "hablamos con el equipo para que no se repita"),
    "solucion_network": ("el proveedor restableció el enlace", "reemplazamos el access point",
                         "actualizamos el firmware del router", "regeneramos el perfil de la VPN"),
    "solucion_accounts": ("creamos el usuario y enviamos los datos de acceso", "blanqueamos la contraseña",
                          "dimos de baja los accesos", "ajustamos los permisos de la carpeta"),
    "solucion_erp": ("renovamos el certificado digital", "corregimos la numeración de comprobantes",
                     "aplicamos la actualización 4.2 del sistema", "recalculamos el stock del depósito"),
}

REQUEST_TEMPLATES = {
    "support": (
        ("No funciona la impresora de {lugar}", "La impresora de {lugar} no imprime {desde}. {sintoma_impresora}"),
        ("La PC de {puesto} no enciende", "La computadora de {puesto} no prende {desde}. {intento}"),
        ("No puedo abrir el correo en {dispositivo}", "No me abre el correo en {dispositivo}: {error_correo}. "
                                                      "{intento}"),
        ("Pantalla azul en la notebook de {persona}", "La notebook de {persona} se reinicia con pantalla azul "
                                                      "{frecuencia}. {intento}"),
        ("Instalar {programa} en la PC de {puesto}", "Necesitamos instalar {programa} en la PC de {puesto}. "
                                                     "¿Lo pueden hacer de forma remota?"),
        ("Lentitud en la PC de {puesto}", "La PC de {puesto} está muy lenta {desde}, tarda varios minutos en "
                                          "abrir cualquier programa. {intento}"),
        ("Se cortó la luz y {equipo} no arranca", "Hubo un corte de luz en {lugar} y {equipo} no volvió a "
                                                  "arrancar. {intento}"),
    ),
    "billing": (
        ("Consulta por factura {tipo_factura} {factura}", "Recibimos la factura {tipo_factura} {factura} de "
                                                          "{mes} y {problema_factura}. ¿La pueden revisar?"),
        ("Pedido de nota de crédito por la factura {factura}", "La factura {tipo_factura} {factura} "
                                                               "{problema_factura}. Necesitamos la nota de crédito."),
        ("No se registró el pago de {mes}", "Hicimos la transferencia de {monto} el {dia} de {mes} y todavía "
                                            "figura como pendiente. Les paso el número de operación {operacion}."),
        ("Cambio de condición frente al IVA", "Desde {mes} somos {condicion_iva}. Necesitamos que las próximas "
                                              "facturas salgan con la condición correcta."),
        ("Pedido de cuenta corriente actualizada", "¿Nos pueden enviar el resumen de cuenta corriente al "
                                                   "{dia} de {mes}? Lo necesita el estudio contable."),
        ("Débito duplicado de {monto}", "Nos debitaron dos veces {monto} de la tarjeta el {dia} de {mes}."),
    ),
    "complaints": (
        ("Reclamo por demora en la atención", "Hace {dias} días que esperamos respuesta por {tema_reclamo} y "
                                              "nadie se comunicó. {tono}"),
        ("El técnico no vino a la visita programada", "Teníamos una visita programada para el {dia} de {mes} "
                                                      "entre las {hora} y no vino nadie. {tono}"),
        ("Reclamo por corte de servicio", "Estuvimos sin servicio {duracion} y no tuvimos ningún aviso. {tono}"),
        ("Se cobró un servicio no prestado", "En la factura de {mes} nos cobraron {tema_reclamo}, que nunca se "
                                             "hizo. {tono}"),
        ("Mala atención telefónica", "Llamé el {dia} de {mes} por {tema_reclamo} y me cortaron dos veces. "
                                     "{tono}"),
    ),
    "network": (
        ("Sin internet en {lugar}", "Nos quedamos sin internet en {lugar} {desde}. {intento_red}"),
        ("El wifi de {lugar} se corta a cada rato", "El wifi de {lugar} se corta {frecuencia}. {intento_red}"),
        ("No conecta la VPN desde casa", "Intento conectarme a la VPN desde casa y {error_vpn}."),
        ("Los internos no dan tono", "Los teléfonos internos de {lugar} no dan tono {desde}."),
        ("Pedido de nuevo punto de red para {puesto}", "Sumamos un puesto en {lugar} y necesitamos un punto de "
                                                       "red nuevo para {puesto}."),
    ),
    "accounts": (
        ("Alta de usuario para {persona}", "Ingresa {persona} a trabajar en {lugar} el {dia} de {mes}. "
                                           "Necesitamos usuario de correo y acceso al sistema."),
        ("Blanqueo de contraseña de {persona}", "{persona} se olvidó la contraseña del sistema y quedó con el "
                                                "usuario bloqueado."),
        ("Baja del usuario de {persona}", "{persona} dejó de trabajar con nosotros el {dia} de {mes}. Por favor, "
                                          "den de baja todos sus accesos."),
        ("Permisos para la carpeta {carpeta}", "{persona} necesita acceso de lectura y escritura a la carpeta "
                                               "{carpeta} del servidor."),
        ("No llega el código de verificación", "Al ingresar al correo me pide un código de verificación que "
                                               "nunca llega {desde}."),
    ),
    "erp": (
        ("Error al emitir factura electrónica", "Al emitir una factura el sistema muestra «{error_afip}». "
                                                "{intento}"),
        ("No se actualiza el stock de {producto}", "Cargamos la compra de {producto} y el stock del depósito "
                                                   "no cambió."),
        ("Diferencia en el cierre de caja del {dia} de {mes}", "El cierre de caja del {dia} de {mes} da una "
                                                               "diferencia de {monto} contra lo cobrado."),
        ("El sistema se cuelga al {accion}", "El sistema queda colgado cada vez que intento {accion}. {intento}"),
        ("Consulta sobre el reporte de ventas de {mes}", "El reporte de ventas de {mes} no coincide con el "
                                                         "libro IVA. ¿Puede ser que falten notas de crédito?"),
    ),
}

GREETINGS = ("Hola, buen día.", "Buenas tardes.", "Hola, ¿cómo están?", "Buen día.", "Hola.")
SIGN_OFFS = ("Gracias.", "Muchas gracias.", "Quedamos atentos.", "Saludos.", "Desde ya, gracias.")
REPLY_OPENERS = ("Hola, buen día.", "Hola.", "Buenas tardes.", "Gracias por escribirnos.", "Hola, ¿qué tal?")
REPLY_CLOSERS = ("Saludos.", "Quedamos a disposición.", "Cualquier cosa, nos avisás.", "Mesa de ayuda.")
OPERATOR_REPLIES = (
    "Ya estamos revisando el caso y te avisamos apenas tengamos novedades.",
    "Tomamos la solicitud. ¿Nos podés confirmar desde qué equipo ocurre?",
    "Para avanzar necesitamos una captura de pantalla del mensaje que aparece.",
    "Lo estamos viendo con el equipo técnico; hoy mismo te damos una respuesta.",
    "¿Nos indicás un horario en el que podamos conectarnos de forma remota?",
    "Estamos esperando la respuesta del proveedor. Apenas la tengamos, te escribimos.",
    "Hicimos un primer cambio. ¿Podés probar de nuevo y contarnos cómo sigue?",
)
CLIENT_REPLIES = (
    "Gracias. Les paso la captura que pidieron.", "Sí, pasa en las dos computadoras de la oficina.",
    "Pueden conectarse hoy entre las {hora}.", "Sigue pasando lo mismo.", "Perfecto, quedo a la espera.",
    "Les confirmo que es la PC de {puesto}.", "Probé de nuevo y ahora parece andar.",
    "¿Hay novedades? Lo necesitamos para el cierre de {mes}.",
)
CLIENT_ADDITIONS = (
    "Agrego un dato: {detalle}.", "Me olvidé de comentar que {detalle}.", "Les paso un dato más: {detalle}.",
)
ADDITION_DETAILS = (
    "el problema empezó después de un corte de luz", "pasa también en la otra sucursal",
    "es urgente porque hoy cerramos el mes", "nos pueden llamar al interno 204",
    "el equipo todavía está en garantía", "solo le pasa a {persona}",
)
INTERNAL_NOTES = (
    "Revisé los registros del servidor: el error empezó con la actualización del martes.",
    "Escalado al proveedor, caso externo n.º {operacion}.",
    "Ojo: este cliente tiene saldo pendiente; consultar con Facturación antes de coordinar la visita.",
    "Es el mismo problema que tuvimos la semana pasada con otro cliente; aplicar el mismo procedimiento.",
    "Pedí el repuesto, llega en 48 horas.", "Cliente molesto: conviene llamarlo por teléfono antes de responder.",
    "Coordinado con el equipo de redes para mañana a primera hora.",
    "La garantía del equipo venció en {mes}; avisar si hay que presupuestar.",
    "Posible falla de hardware, lo dejo registrado para el seguimiento.",
)
CLOSING_REPLIES = (
    "Quedó resuelto: {solucion}. Cerramos la solicitud; si vuelve a pasar, respondé este mensaje y la reabrimos.",
    "Te confirmamos que {solucion}. Damos la solicitud por cerrada.",
    "Listo, {solucion}. Cualquier otra consulta, escribinos.",
)
REOPEN_MESSAGES = (
    "Volvió a pasar lo mismo esta mañana.", "Perdón, pero el problema sigue. ¿Lo pueden revisar de nuevo?",
    "Al final no quedó resuelto: {detalle}.", "Funcionó un día y ahora volvió a fallar.",
)
PLACES = ("la recepción", "administración", "la oficina de ventas", "la planta baja", "la gerencia", "contaduría")
COMPANY_NAME_PATTERNS = (
    "{last} Hnos. S.R.L.", "{last} y Asociados S.R.L.", "Distribuidora {last} S.A.", "Agro {city} S.R.L.",
    "Ferretería {last}", "Estudio Contable {last}", "{last} & {other} S.A.S.", "Transportes {city} S.A.",
    "Panadería {last}", "Farmacia {last}", "Construcciones {last} S.A.", "Librería {city}",
)


class TextPools:
    """Pools of ready-made Spanish texts and names, built once from templates and Faker es_AR."""

    def __init__(self, seed, size=500):
        """Build every pool from its own seeded generators, so the pools never depend on the caller's."""
        self._rng = random.Random(seed)
        faker = Faker("es_AR")
        faker.seed_instance(seed)
        self.first_names = tuple(dict.fromkeys(faker.first_name() for _ in range(600)))
        self.last_names = tuple(dict.fromkeys(faker.last_name() for _ in range(600)))
        self.cities = tuple(dict.fromkeys(faker.city() for _ in range(80)))
        self.requests = {key: self._build(size, lambda t=templates: self._request(t))
                         for key, templates in REQUEST_TEMPLATES.items()}
        self.requests[GENERIC_TEXT_KEY] = tuple(pair for pool in self.requests.values() for pair in pool[::4])
        self.operator_replies = self._build(size, self._operator_reply)
        self.client_replies = self._build(size, lambda: self._fill(self._pick(CLIENT_REPLIES)))
        self.client_additions = self._build(size, lambda: self._fill(self._pick(CLIENT_ADDITIONS)))
        self.internal_notes = self._build(size, lambda: self._fill(self._pick(INTERNAL_NOTES)))
        self.reopen_messages = self._build(size, lambda: self._fill(self._pick(REOPEN_MESSAGES)))
        self.closing_replies = {key: self._build(size // 4, lambda k=key: self._closing_reply(k))
                                for key in REQUEST_TEMPLATES}
        self.closing_replies[GENERIC_TEXT_KEY] = self._build(size // 4, lambda: self._closing_reply("support"))

    def full_name(self, rng):
        """A Spanish full name, drawn from the caller's generator."""
        first = self.first_names[int(rng.random() * len(self.first_names))]
        last = self.last_names[int(rng.random() * len(self.last_names))]
        return f"{first} {last}"

    def company_name(self, rng):
        """An Argentine-sounding company name, drawn from the caller's generator."""
        pattern = COMPANY_NAME_PATTERNS[int(rng.random() * len(COMPANY_NAME_PATTERNS))]
        last, other = (self.last_names[int(rng.random() * len(self.last_names))] for _ in range(2))
        city = self.cities[int(rng.random() * len(self.cities))]
        return pattern.format(last=last, other=other, city=city)

    def _pick(self, seq):
        """One element of `seq`, drawn from the pool builder's own generator."""
        return seq[int(self._rng.random() * len(seq))]

    def _build(self, size, make):
        """Up to `size` distinct texts from `make`, in the order they were made (never hash order)."""
        return tuple(dict.fromkeys(make() for _ in range(size * 3)))[:size]

    def _slots(self):
        """One random value for every placeholder a template may use."""
        slots = {name: self._pick(values) for name, values in VOCABULARY.items()}
        person = self._pick(self.first_names)
        number = int(self._rng.random() * 99_999_999)
        slots.update(
            persona=person, puesto=self._pick((person, "la caja", "recepción", "contaduría", "la gerencia")),
            lugar=self._pick(PLACES + tuple(f"la sucursal {city}" for city in self.cities[:8])),
            mes=self._pick(MONTHS), dia=1 + int(self._rng.random() * 28), dias=2 + int(self._rng.random() * 12),
            factura=f"{1 + int(self._rng.random() * 12):04d}-{number:08d}", operacion=number % 10_000_000,
            monto=f"$ {5_000 + int(self._rng.random() * 900_000):,}".replace(",", "."),
            detalle=self._pick(ADDITION_DETAILS).format(persona=person),
        )
        return slots

    def _fill(self, template):
        """Fill a template's placeholders with fresh random values."""
        return template.format(**self._slots())

    def _request(self, templates):
        """A (subject, description) pair about the same problem, wrapped in a greeting and a sign-off."""
        subject, core = self._pick(templates)
        slots = self._slots()
        description = f"{self._pick(GREETINGS)}\n\n{core.format(**slots)}\n\n{self._pick(SIGN_OFFS)}"
        return subject.format(**slots), description

    def _operator_reply(self):
        """A public answer by an operator."""
        return f"{self._pick(REPLY_OPENERS)} {self._pick(OPERATOR_REPLIES)}\n\n{self._pick(REPLY_CLOSERS)}"

    def _closing_reply(self, text_key):
        """The operator's last public message, naming a solution that fits the topic."""
        solution = self._pick(VOCABULARY[f"solucion_{text_key}"])
        return self._pick(CLOSING_REPLIES).format(solucion=solution)


# --- When requests arrive -------------------------------------------------------------------------

# Time spent (issue 15): the share of staff messages that record it, and how long they took (minutes, share).
TIME_RECORDED_SHARE = 0.55
TIME_SPENT_SHARES = ((10, 0.20), (15, 0.20), (5, 0.14), (30, 0.15), (20, 0.12), (45, 0.08), (60, 0.06),
                     (90, 0.03), (120, 0.02))


def time_spent_draw(draw):
    """Minutes recorded with one staff message, or None (not recorded): `draw()` gives numbers in [0, 1)."""
    if draw() >= TIME_RECORDED_SHARE:
        return None
    chosen = draw()
    for minutes, share in TIME_SPENT_SHARES:
        if chosen < share:
            return minutes
        chosen -= share
    return TIME_SPENT_SHARES[0][0]


WEEKDAY_WEIGHTS = (1.0, 1.0, 0.95, 0.95, 0.85, 0.3, 0.12)  # Monday to Sunday
HOUR_WEIGHTS = (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.6, 1.5, 4, 7, 8, 8, 6, 5, 6, 7, 6.5, 5, 3, 2, 1.5, 1, 0.6, 0.3)
# Fixed-date national holidays: as quiet as a Sunday.
HOLIDAYS = {(1, 1), (3, 24), (4, 2), (5, 1), (5, 25), (6, 20), (7, 9), (12, 8), (12, 25)}


def local_days(tz, first_day, last_day):
    """(date, epoch second of its local midnight) for every day from `first_day` to `last_day`."""
    return [(day, int(datetime.combine(day, time(), tzinfo=tz).timestamp()))
            for day in (first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1))]


def day_weight(day, day_start, now):
    """How busy a day is: by weekday and holidays, and only the part already lived when it is today."""
    weight = 0.12 if (day.month, day.day) in HOLIDAYS else WEEKDAY_WEIGHTS[day.weekday()]
    lived = [min(1.0, max(0.0, (now - day_start - hour * HOUR) / HOUR)) for hour in range(24)]
    return weight * sum(w * share for w, share in zip(HOUR_WEIGHTS, lived, strict=True)) / sum(HOUR_WEIGHTS)


def split_total(total, weights):
    """Whole numbers proportional to `weights` that add up to exactly `total`."""
    scale = total / sum(weights)
    counts, running, allotted = [], 0.0, 0
    for weight in weights:
        running += weight * scale
        share = round(running) - allotted
        counts.append(share)
        allotted += share
    return counts


def creation_times(rng, day_starts, counts, now):
    """Sorted creation times, `counts[i]` of them on the day starting at `day_starts[i]`, never after `now`."""
    rand = rng.random
    for day_start, count in zip(day_starts, counts, strict=True):
        if not count:
            continue
        hours = [hour for hour in range(24) if day_start + hour * HOUR < now]
        picked = rng.choices(hours, weights=HOUR_WEIGHTS[: len(hours)], k=count)
        yield from sorted(
            day_start + hour * HOUR + int(rand() * min(HOUR, now - day_start - hour * HOUR)) for hour in picked
        )


# --- A ticket's life -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Desk:
    """Who works a topic: the operators who may be assigned, who may assign, and how fast they close."""

    topic_id: int
    text_key: str
    operator_ids: tuple
    dispatcher_ids: tuple
    resolution_seconds: float


class TicketLife(NamedTuple):
    """What happened to a request up to now. Times are epoch seconds."""

    state: str
    assignee_id: int | None
    taken_at: int | None
    closed_at: int | None
    closed_by_id: int | None
    last_activity_at: int
    interventions: list  # (at, author_id, internal, body)
    events: list  # (at, actor_id, kind, before, after)
    public_activity_at: int  # the last activity a client sees: not an internal comment


# Plain strings (not the enum members) so every database driver takes them as they are.
NEW, IN_PROGRESS, CLOSED = State.NEW.value, State.IN_PROGRESS.value, State.CLOSED.value
CREATED, TAKEN, ASSIGNED = EventKind.CREATED.value, EventKind.TAKEN.value, EventKind.ASSIGNED.value
REOPENED, CLOSE = EventKind.REOPENED.value, EventKind.CLOSED.value
STATE_AFTER_EVENT = {CREATED: NEW, TAKEN: IN_PROGRESS, ASSIGNED: IN_PROGRESS, REOPENED: IN_PROGRESS, CLOSE: CLOSED}
TAKE_MEDIAN_SECONDS = 1.5 * HOUR
REOPEN_MEDIAN_SECONDS = 1.5 * DAY


class LifeSimulator:
    """Plays a request forward from its creation, then keeps only what has already happened."""

    def __init__(self, rng, texts, staff_names, *, take_median_seconds=TAKE_MEDIAN_SECONDS, reopen_rate=0.04,
                 never_taken_rate=0.002, never_closed_rate=0.005):
        """`staff_names` maps operator ids to the name written in "taken" and "assigned" events."""
        self.random = rng.random
        self.gauss = rng.gauss
        self.texts = texts
        self.staff_names = staff_names
        self.take_median_seconds = take_median_seconds
        self.reopen_rate = reopen_rate
        self.never_taken_rate = never_taken_rate
        self.never_closed_rate = never_closed_rate

    def _delay(self, median_seconds, spread):
        """A log-normal delay: mostly near the median, with a long tail of slow cases."""
        return int(median_seconds * math.exp(spread * self.gauss()))

    def _text(self, pool):
        """One text of a pool."""
        return pool[int(self.random() * len(pool))]

    def request_text(self, desk):
        """A (subject, description) pair that fits the desk's topic."""
        return self._text(self.texts.requests[desk.text_key])

    def live(self, created, now, requester_id, desk):
        """The request's life from `created` until `now`: state, people, interventions and events."""
        rand, texts = self.random, self.texts
        assignee = desk.operator_ids[int(rand() * len(desk.operator_ids))]
        dispatcher = desk.dispatcher_ids[int(rand() * len(desk.dispatcher_ids))]
        events = [(created, requester_id, CREATED, "", "")]
        interventions = []
        if rand() < 0.15:
            addition_at = created + 60 + int(rand() * HOUR)
            interventions.append((addition_at, requester_id, False, self._text(texts.client_additions)))

        taken = created + 60 + self._delay(self.take_median_seconds, 1.2)
        if rand() < self.never_taken_rate:
            taken = NEVER
        if dispatcher == assignee:
            events.append((taken, assignee, TAKEN, "", self.staff_names[assignee]))
        else:
            events.append((taken, dispatcher, ASSIGNED, "", self.staff_names[assignee]))

        span = 300 + self._delay(desk.resolution_seconds, 1.1)
        self._converse(interventions, taken, span, requester_id, assignee)
        closed = NEVER if rand() < self.never_closed_rate else taken + span
        self._close(interventions, events, closed, assignee, desk)

        if rand() < self.reopen_rate:
            reopened = closed + 60 + self._delay(REOPEN_MEDIAN_SECONDS, 1.0)
            interventions.append((reopened, requester_id, False, self._text(texts.reopen_messages)))
            events.append((reopened, requester_id, REOPENED, CLOSED, IN_PROGRESS))
            second_span = 300 + self._delay(desk.resolution_seconds / 2, 1.0)
            self._converse(interventions, reopened, second_span, requester_id, assignee)
            self._close(interventions, events, reopened + second_span, assignee, desk)
        return self._until(now, events, interventions, assignee)

    def _converse(self, interventions, start, span, requester_id, assignee):
        """Messages while the request is worked: answer, internal note, client reply, follow-up."""
        rand, text, texts = self.random, self._text, self.texts
        if rand() < 0.85:
            interventions.append((start + int(span * 0.2 * rand()), assignee, False, text(texts.operator_replies)))
        if rand() < 0.35:
            at = start + int(span * (0.2 + 0.25 * rand()))
            interventions.append((at, assignee, True, text(texts.internal_notes)))
        if rand() < 0.6:
            at = start + int(span * (0.45 + 0.25 * rand()))
            interventions.append((at, requester_id, False, text(texts.client_replies)))
            if rand() < 0.5:
                at = start + int(span * (0.7 + 0.2 * rand()))
                interventions.append((at, assignee, False, text(texts.operator_replies)))

    def _close(self, interventions, events, closed, assignee, desk):
        """The operator's last message, then the closing event a few seconds later."""
        interventions.append((closed - 10, assignee, False, self._text(self.texts.closing_replies[desk.text_key])))
        events.append((closed, assignee, CLOSE, IN_PROGRESS, CLOSED))

    def _until(self, now, events, interventions, assignee):
        """Cut the planned life at `now` and derive the request's fields from what is left."""
        events = [event for event in events if event[0] <= now]
        interventions = [intervention for intervention in interventions if intervention[0] <= now]
        state = STATE_AFTER_EVENT[events[-1][2]]
        last_activity = public_activity = events[-1][0]
        for at, _author, internal, _body in interventions:
            last_activity = max(last_activity, at)
            if not internal:
                public_activity = max(public_activity, at)
        if state == NEW:
            return TicketLife(state, None, None, None, None, last_activity, interventions, events, public_activity)
        closed = events[-1][0] if state == CLOSED else None
        closed_by = assignee if closed else None
        return TicketLife(state, assignee, events[1][0], closed, closed_by, last_activity, interventions, events,
                          public_activity)


def weighted_picker(rng, items, weights):
    """A function that returns one of `items` with probability proportional to its weight."""
    cumulative, total = [], 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    rand = rng.random

    def pick():
        return items[bisect(cumulative, rand() * total)]

    return pick
