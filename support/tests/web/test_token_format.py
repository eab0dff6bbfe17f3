"""sessionlab.web.token_format: base64url, splitting and assembling tokens by hand, the refusal reasons."""

import pytest

from sessionlab.web.token_format import (
    REASONS,
    TokenError,
    b64url_decode,
    b64url_encode,
    encode_unsigned,
    split_token,
    www_authenticate,
)


def code_of(fn, *args) -> str:
    with pytest.raises(TokenError) as info:
        fn(*args)
    return info.value.code


def test_split_undoes_encode_unsigned():
    header, payload, sig = {"alg": "none", "typ": "JWT"}, {"sub": "alice", "role": "admin"}, b"\x00\xff"
    token = encode_unsigned(header, payload, sig)
    assert token.count(".") == 2 and "=" not in token
    assert split_token(token) == (header, payload, sig)
    assert split_token(token.encode()) == (header, payload, sig)
    assert split_token(encode_unsigned(header, payload))[2] == b""  # alg none: empty signature


def test_base64url_is_strict_and_unpadded():
    assert b64url_encode(b"\xfb\xff") == "-_8" and b64url_decode("-_8") == b"\xfb\xff"
    for bad in ("-_8=", "abcde", 5):
        assert code_of(b64url_decode, bad) == "bad_base64"


def test_split_refuses_what_is_not_a_token():
    assert code_of(split_token, None) == "missing"
    assert code_of(split_token, "a.b") == "malformed"
    assert code_of(split_token, "x" * 9000) == "too_long"
    assert code_of(split_token, f"{b64url_encode(b'[1]')}.{b64url_encode(b'{}')}.") == "bad_header"
    assert code_of(split_token, f"{b64url_encode(b'{}')}.{b64url_encode(b'nope')}.") == "bad_payload"
    assert code_of(split_token, "é.é.é") == "bad_base64"


def test_every_reason_is_korean_and_header_is_ascii():
    for code in REASONS:
        exc = TokenError(code)
        assert any("\uac00" <= ch <= "\ud7a3" for ch in exc.reason), code
        exc.www_authenticate.encode("ascii")
    assert www_authenticate("missing") == 'Bearer realm="sessionlab"'
    assert 'error="invalid_token"' in TokenError("expired").www_authenticate
    assert 'error_description="token expired"' in TokenError("expired").www_authenticate
