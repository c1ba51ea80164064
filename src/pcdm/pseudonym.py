"""Salted pseudonymous person key, computed exactly as dbt computes it in SQL.

`person_key(person_id, salt)` is the lower-case hex SHA-256 of the UTF-8 string
`salt + ':' + person_id` (dbt: `sha256(salt || ':' || person_id)`). The salt is a secret kept
outside the repository and read from the environment variable `PCDM_PSEUDONYM_SALT`.
"""

from __future__ import annotations

import hashlib
import os

SALT_VARIABLE = "PCDM_PSEUDONYM_SALT"


class MissingSaltError(RuntimeError):
    """The pseudonymisation salt is not set in the environment."""


def person_key(person_id: str, salt: str) -> str:
    """Lower-case hex SHA-256 of `salt:person_id` (the identity code after normalising)."""
    return hashlib.sha256(f"{salt}:{person_id}".encode()).hexdigest()


def salt_from_env() -> str:
    """The salt from `PCDM_PSEUDONYM_SALT`; MissingSaltError naming the variable if unset."""
    salt = os.environ.get(SALT_VARIABLE, "")
    if not salt:
        raise MissingSaltError(
            f"{SALT_VARIABLE} is not set: set it to a long random secret "
            "kept outside the repository"
        )
    return salt
