"""Tests of the salted pseudonymous person key."""

from __future__ import annotations

import hashlib

import pytest

from pcdm import pseudonym


def test_person_key_is_sha256_of_salt_colon_id() -> None:
    salt = "test-salt-not-a-secret"
    expected = hashlib.sha256(b"test-salt-not-a-secret:131052-308T").hexdigest()
    assert pseudonym.person_key("131052-308T", salt) == expected
    assert len(expected) == 64 and expected == expected.lower()


def test_known_value() -> None:
    # echo -n 'abc:131052-308T' | sha256sum (computed with coreutils, not with this module)
    expected = "a7d7fbf743cffb7cbe3e033b71fd61329b71167b41d3f944db2186e59994ceac"
    assert pseudonym.person_key("131052-308T", "abc") == expected


def test_non_ascii_salt_is_utf8() -> None:
    expected = hashlib.sha256("suola-äö:010594Y9032".encode()).hexdigest()
    assert pseudonym.person_key("010594Y9032", "suola-äö") == expected


def test_different_salts_and_ids_give_different_keys() -> None:
    assert pseudonym.person_key("131052-308T", "a") != pseudonym.person_key("131052-308T", "b")
    assert pseudonym.person_key("010594-9032", "a") != pseudonym.person_key("010594Y9032", "a")


def test_salt_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCDM_PSEUDONYM_SALT", "from-the-environment")
    assert pseudonym.salt_from_env() == "from-the-environment"


@pytest.mark.parametrize("value", [None, ""])
def test_missing_salt_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("PCDM_PSEUDONYM_SALT", raising=False)
    else:
        monkeypatch.setenv("PCDM_PSEUDONYM_SALT", value)
    with pytest.raises(pseudonym.MissingSaltError, match="PCDM_PSEUDONYM_SALT"):
        pseudonym.salt_from_env()
