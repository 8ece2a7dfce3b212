"""Keyed pseudonyms for personnummer and other person identifiers.

A personnummer is replaced at load time by HMAC-SHA-256 (keyed with EB_PSEUDONYM_KEY, or with a
random key created once beside the warehouse with owner-only permissions) of its 12-digit form.
The digest is written with the letters a–p instead of hex digits: a pseudonym can then never be
mistaken for (or scanned as) a personnummer, which is a run of digits. 32 letters = 128 bits.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from orchestration.settings import KEY_ENV

_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
PSEUDONYM_LENGTH = 32


def load_or_create_key(key_file: Path) -> bytes:
    """The pseudonym key: EB_PSEUDONYM_KEY if set (and not empty), else the key file.

    The key file is created once (256 random bits as hex) with mode 0600; an existing file that
    others may read is narrowed to 0600. An empty key file is an error, never an empty key.
    """
    env_key = os.environ.get(KEY_ENV)
    if env_key:
        return env_key.encode("utf-8")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it meanwhile: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key)
            return key
    if key_file.stat().st_mode & 0o077:
        key_file.chmod(0o600)
    key = key_file.read_bytes().strip()
    if not key:
        raise ValueError(f"pseudonymnyckeln i {key_file} är tom")
    return key


def pseudonymise(key: bytes, value: str, *, domain: str | None = None) -> str:
    """HMAC-SHA-256 of `value`, as 32 letters a–p.

    Personnummer are keyed as their bare 12-digit form (the contract); other identifiers (HR
    numbers) pass a `domain` so that they can never collide with a person's pseudonym.
    """
    message = value if domain is None else f"{domain}:{value}"
    digest = hmac.digest(key, message.encode("utf-8"), hashlib.sha256).hex()
    return digest[:PSEUDONYM_LENGTH].translate(_LETTERS)
