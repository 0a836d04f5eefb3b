"""Secrets the portal must read back — a support mailbox's password, to log in to it —
sealed at rest with Fernet (the `cryptography` package: AES-128-CBC and HMAC-SHA256,
with a timestamp), never stored as typed.

The keys: `FIELD_ENCRYPTION_KEYS` (comma-separated Fernet keys, the first one seals, all
of them open: add a new key in front to rotate, drop the old one once everything was
sealed again), else one key derived from `SECRET_KEY` by HKDF-SHA256. Changing the key
that sealed a secret without keeping it in the list makes that secret unreadable:
`SecretUnreadable` then says it must be entered again.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The sealed value cannot be opened with the configured keys (they changed)."""


@cache
def _box(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"portal.sealed",
                       info=b"field encryption").derive(secret_key.encode())
        keys = (base64.urlsafe_b64encode(derived).decode(),)
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _current() -> MultiFernet:
    keys = tuple(k.strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) if k.strip())
    return _box(keys, settings.SECRET_KEY)


def seal(value: str) -> str:
    """The sealed form of `value` (text, safe to store); "" stays ""."""
    return _current().encrypt(value.encode()).decode() if value else ""


def unseal(token: str) -> str:
    """The value sealed in `token`; "" stays ""."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("the stored secret cannot be read with the configured keys: enter it again") from exc
