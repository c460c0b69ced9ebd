"""Validates an identity document, invoked like an AWS Lambda handler.

The event is the document; the result says whether it is valid (`valido`) and why not (`errores`).
"""
import datetime
import re

DOCUMENT_TYPES = {"dni", "pasaporte", "cedula"}
NUMBER_PATTERNS = {
    "dni": re.compile(r"^\d{8}[A-Z]$"),
    "pasaporte": re.compile(r"^[A-Z]{3}\d{6}$"),
    "cedula": re.compile(r"^\d{6,10}$"),
}
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def handler(event, context):
    errors = []
    if not isinstance(event, dict):
        return {"valido": False, "errores": ["el documento debe ser un objeto JSON"]}

    kind = event.get("tipo")
    number = event.get("numero")
    name = event.get("nombre")
    issued = event.get("fecha_emision")
    expires = event.get("fecha_caducidad")

    if kind not in DOCUMENT_TYPES:
        errors.append(f"tipo desconocido: {kind!r}")
    if not isinstance(number, str) or not number:
        errors.append("falta el número")
    elif kind in NUMBER_PATTERNS and not NUMBER_PATTERNS[kind].match(number):
        errors.append(f"número con formato incorrecto para {kind}: {number}")
    elif kind == "dni" and DNI_LETTERS[int(number[:8]) % 23] != number[8]:
        errors.append("la letra del DNI no corresponde al número")
    if not isinstance(name, str) or not name.strip():
        errors.append("falta el nombre")

    today = datetime.date.today()
    issued_date = _date(issued, "fecha_emision", errors)
    expires_date = _date(expires, "fecha_caducidad", errors)
    if issued_date and issued_date > today:
        errors.append("la fecha de emisión está en el futuro")
    if expires_date and expires_date < today:
        errors.append("el documento está caducado")
    if issued_date and expires_date and expires_date <= issued_date:
        errors.append("la fecha de caducidad es anterior a la de emisión")

    return {
        "valido": not errors,
        "errores": errors,
        "documento": {"tipo": kind, "numero": number},
        "requestId": getattr(context, "aws_request_id", None),
    }


def _date(value, field, errors):
    if not isinstance(value, str):
        errors.append(f"falta {field}")
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{field} no es una fecha ISO-8601: {value}")
        return None
