"""Checkers of notebook 04a accept the right answer and reject typical mistakes."""

import jwt
import pytest

from sessionlab.exercises.ex04a import (
    check_decoded_role,
    check_denylist_ttl,
    check_extra_bytes,
    check_safe_verify,
)
from sessionlab.web.tokens import TokenService, generate_keys


@pytest.fixture(scope="module")
def service():
    return TokenService(generate_keys())


def test_checkers_04a(service):
    token = service.issue("bob", role="editor")
    assert check_decoded_role("editor", token) and not check_decoded_role("user", token)
    assert not check_decoded_role(..., token)
    secret = service.keys["HS256"].signing

    def safe(t):
        return jwt.decode(
            t,
            secret,
            algorithms=["HS256"],
            audience=service.audience,
            issuer=service.issuer,
            options={"require": ["exp"]},
        )

    def unsafe(t):
        return jwt.decode(t, options={"verify_signature": False})

    assert check_safe_verify(safe, service)
    assert not check_safe_verify(unsafe, service) and not check_safe_verify(..., service)
    assert not check_safe_verify(lambda t: 1 / 0, service)
    assert check_denylist_ttl(305, 1000300, 1000000, 5) and not check_denylist_ttl(300, 1000300, 1000000, 5)
    assert check_extra_bytes(2840, 327, 43, 10) and not check_extra_bytes(3270, 327, 43, 10)
