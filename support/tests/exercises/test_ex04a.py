"""Checkers of notebook 04a accept the right answer and reject typical mistakes, each with a Korean hint."""

import jwt
import pytest

from sessionlab.exercises.ex04a import (
    check_decoded_role,
    check_denylist_ttl,
    check_extra_bytes,
    check_safe_verify,
    safe_verify_cases,
)
from sessionlab.web.tokens import TokenError, TokenService, generate_keys


@pytest.fixture(scope="module")
def service():
    return TokenService(generate_keys())


def test_decoded_role(service):
    token = service.issue("bob", role="editor")
    assert check_decoded_role("editor", token)
    assert not check_decoded_role(..., token)
    header_answer = check_decoded_role("HS256", token)  # decoded the first segment
    assert not header_answer and "header" in header_answer.message
    dict_answer = check_decoded_role({"role": "editor"}, token)  # the whole payload
    assert not dict_answer and "role" in dict_answer.message
    other = check_decoded_role("user", token)  # a role from another token, not this one
    assert not other and "by_hand" in other.message and "split('.')[1]" in other.message


def model_answer(service):
    secret = service.keys["HS256"].signing

    def safe(t):
        full = jwt.decode_complete(
            t,
            secret,
            algorithms=["HS256"],
            audience=service.audience,
            issuer=service.issuer,
            leeway=5,
            options={"require": ["exp", "iat", "sub", "jti"]},
        )
        if full["header"].get("typ") != "at+jwt":
            raise jwt.InvalidTokenError("not an access token")
        return full["payload"]

    return safe


def test_safe_verify_accepts_the_typed_model_answer(service):
    assert check_safe_verify(model_answer(service), service)


def test_safe_verify_rejects_typical_wrong_verifiers(service):
    secret = service.keys["HS256"].signing

    def no_signature(t):
        return jwt.decode(t, options={"verify_signature": False})

    def untyped(t):  # the old model answer: everything right except the token type
        return jwt.decode(
            t, secret, algorithms=["HS256"], audience=service.audience, issuer=service.issuer, leeway=5
        )

    def any_audience(t):
        full = jwt.decode_complete(t, secret, algorithms=["HS256"], options={"verify_aud": False})
        if full["header"].get("typ") != "at+jwt":
            raise jwt.InvalidTokenError("type")
        return full["payload"]

    def none_allowed(t):
        if jwt.get_unverified_header(t)["alg"] == "none":
            return jwt.decode(t, options={"verify_signature": False})
        return model_answer(service)(t)

    for fn, accepted in [
        (no_signature, "alg: none"),
        (untyped, "리프레시 토큰"),
        (any_audience, "다른 서비스용(aud)"),
        (none_allowed, "alg: none"),
    ]:
        res = check_safe_verify(fn, service)
        assert not res and accepted in res.message, (fn.__name__, res.message)
    assert "at+jwt" in check_safe_verify(untyped, service).message
    assert "audience" in check_safe_verify(any_audience, service).message
    assert not check_safe_verify(..., service) and not check_safe_verify("jwt.decode", service)
    assert "정상 토큰을 거부" in check_safe_verify(lambda t: 1 / 0, service).message


def test_safe_verify_cases_are_really_bad(service):
    cases = safe_verify_cases(service)
    assert set(cases) == {"alg: none", "변조된 payload", "만료된 토큰", "다른 서비스용(aud)", "리프레시 토큰"}
    for token in cases.values():
        with pytest.raises(TokenError):
            service.verify(token)


def test_denylist_ttl():
    assert check_denylist_ttl(305, 1000300, 1000000, 5)
    forgot_leeway = check_denylist_ttl(300, 1000300, 1000000, 5)
    assert not forgot_leeway and "leeway" in forgot_leeway.message
    absolute = check_denylist_ttl(1000305, 1000300, 1000000, 5)  # the absolute time, not a TTL
    assert not absolute and "now를 빼세요" in absolute.message
    assert not check_denylist_ttl(..., 1000300, 1000000, 5)


def test_extra_bytes_names_http11_and_header_compression():
    right = check_extra_bytes(2840, 327, 43, 10)
    assert (
        right and "HTTP/1.1" in right.message and "RFC 7541" in right.message and "RFC 9204" in right.message
    )
    whole_token = check_extra_bytes(3270, 327, 43, 10)
    assert not whole_token and "세션 ID 길이를 빼세요" in whole_token.message
    one_request = check_extra_bytes(284, 327, 43, 10)
    assert not one_request and "요청 수를 곱하세요" in one_request.message
    assert not check_extra_bytes(..., 327, 43, 10)
