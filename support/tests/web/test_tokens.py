"""sessionlab.web.tokens: the secure verifier, keys, refresh rotation, the denylist."""

import json
import time

import jwt
import pytest

from sessionlab.web.tokens import (
    ALLOWED_ALGORITHMS,
    TokenError,
    TokenService,
    Verifier,
    b64url_decode,
    b64url_encode,
    encode_unsigned,
    generate_keys,
    hmac_key,
    split_token,
)

# RFC 7515, appendix A.1: JWS using HMAC SHA-256. The key is the JWK "k" value, base64url-decoded.
RFC7515_A1_K = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
RFC7515_A1_TOKEN = (
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


@pytest.fixture(scope="module")
def keys():
    return generate_keys()


@pytest.fixture()
def service(keys, redis_server):
    client = redis_server.client()
    client.flushdb()
    return TokenService(keys, redis=client)


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(TokenError) as info:
        fn(*args, **kwargs)
    return info.value.code


# --- RFC 7515 A.1 --------------------------------------------------------------------


def rfc_verifier() -> Verifier:
    # The vector has no aud, iat, jti or kid: a verifier for it requires only exp, trusts iss "joe".
    return Verifier(
        [hmac_key(b64url_decode(RFC7515_A1_K), kid="rfc7515")], issuer="joe", audience=None, require=("exp",)
    )


def test_rfc7515_a1_hs256_vector_verifies_with_expiry_check_disabled():
    # exp 1300819380 is 2011-03-22: verified with expiry checking disabled (verify_exp=False).
    claims = rfc_verifier().verify(RFC7515_A1_TOKEN, expected_type=None, verify_exp=False)
    assert claims == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    header, _, signature = split_token(RFC7515_A1_TOKEN)
    assert header == {"typ": "JWT", "alg": "HS256"} and len(signature) == 32


def test_rfc7515_a1_vector_is_expired_and_tamper_evident():
    assert code_of(rfc_verifier().verify, RFC7515_A1_TOKEN, expected_type=None) == "expired"
    h, p, s = RFC7515_A1_TOKEN.split(".")
    other = b64url_encode(b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":false}')
    assert (
        code_of(rfc_verifier().verify, f"{h}.{other}.{s}", expected_type=None, verify_exp=False)
        == "bad_signature"
    )


# --- issuing and verifying -------------------------------------------------------------


@pytest.mark.parametrize("alg", ALLOWED_ALGORITHMS)
def test_round_trip_every_algorithm(keys, alg):
    svc = TokenService(keys, alg=alg)
    token = svc.issue("alice", role="user")
    claims = svc.verify(token)
    assert claims["sub"] == "alice" and claims["role"] == "user" and claims["typ"] == "access"
    for claim in ("iss", "aud", "iat", "nbf", "exp", "jti"):
        assert claim in claims
    assert split_token(token)[0]["alg"] == alg


def test_jti_on_every_token_and_unique(keys):
    svc = TokenService(keys)
    jtis = {svc.verify(svc.issue("alice"))["jti"] for _ in range(50)}
    assert len(jtis) == 50


def test_payload_is_readable_without_any_key(keys):
    token = TokenService(keys).issue("alice", role="user")
    payload = json.loads(b64url_decode(token.split(".")[1]))
    assert payload["sub"] == "alice" and payload["role"] == "user"


def test_keys_are_generated_at_run_time():
    a, b = generate_keys(), generate_keys()
    assert a["HS256"].signing != b["HS256"].signing and len(a["HS256"].signing) == 32
    assert a["RS256"].public_pem() != b["RS256"].public_pem()


# --- bad input: each refused with its own code --------------------------------------------


def test_malformed_tokens(keys):
    v = TokenService(keys).verifier
    good = TokenService(keys).issue("alice")
    h, p, s = good.split(".")
    assert code_of(v.verify, "") == "missing"
    assert code_of(v.verify, f"{h}.{p}") == "malformed"
    assert code_of(v.verify, f"{h}.{p}.{s}.extra") == "malformed"
    assert code_of(v.verify, f"{h}.@@@.{s}") == "bad_base64"
    assert code_of(v.verify, f"{h}.{p}=.{s}") == "bad_base64"
    assert code_of(v.verify, f"{b64url_encode(b'not json')}.{p}.{s}") == "bad_header"
    assert code_of(v.verify, f"{b64url_encode(b'[1,2]')}.{p}.{s}") == "bad_header"
    assert code_of(v.verify, f"{h}.{b64url_encode(b'123')}.{s}") == "bad_payload"
    assert code_of(v.verify, "x" * 9000) == "too_long"
    assert code_of(v.verify, "é.é.é") == "bad_base64"


def test_unknown_alg_and_kid(keys):
    svc = TokenService(keys)
    token = svc.issue("alice")
    header, payload, sig = split_token(token)
    for alg in ("none", "HS512", "ES256", None, 5):
        assert code_of(svc.verify, encode_unsigned({**header, "alg": alg}, payload, sig)) == "alg_not_allowed"
    assert code_of(svc.verify, encode_unsigned({**header, "kid": "nope"}, payload, sig)) == "unknown_kid"
    assert code_of(svc.verify, encode_unsigned({**header, "kid": ["x"]}, payload, sig)) == "unknown_kid"
    # HS256 token presented as if signed by the RSA key
    assert code_of(svc.verify, encode_unsigned({**header, "kid": "rs256-1"}, payload, sig)) == "alg_mismatch"


def test_time_claims_with_leeway(keys):
    svc = TokenService(keys, leeway=5)
    now = time.time()
    assert svc.verify(svc.issue("a", ttl=60, now=now - 62))["sub"] == "a"  # 2 s past exp: within leeway
    assert code_of(svc.verify, svc.issue("a", ttl=60, now=now - 120)) == "expired"
    assert code_of(svc.verify, svc.issue("a", now=now + 120)) == "not_yet_valid"  # iat and nbf ahead
    assert code_of(svc.verify, svc.issue("a", nbf=int(now) + 120)) == "not_yet_valid"
    assert code_of(svc.verify, svc.issue("a", exp="soon")) == "bad_claim"


def test_audience_issuer_type_and_required_claims(keys):
    svc = TokenService(keys)
    assert code_of(svc.verify, svc.issue("a", aud="another-api")) == "wrong_audience"
    assert code_of(svc.verify, svc.issue("a", iss="evil")) == "wrong_issuer"
    assert code_of(svc.verify, svc.issue("a", typ="refresh")) == "wrong_type"
    no_jti = jwt.encode(
        {
            "sub": "a",
            "iss": svc.issuer,
            "aud": svc.audience,
            "iat": int(time.time()),
            "exp": int(time.time()) + 60,
            "typ": "access",
        },
        keys["HS256"].signing,
        algorithm="HS256",
        headers={"kid": "hs256-1"},
    )
    assert code_of(svc.verify, no_jti) == "missing_claim"


def test_algorithm_confusion_is_blocked_and_pyjwt_refuses_pem_as_hmac_secret(keys):
    import hashlib
    import hmac

    svc = TokenService(keys, alg="RS256")
    token = svc.issue("alice", role="user")
    header, payload, _ = split_token(token)
    unsigned = encode_unsigned({**header, "alg": "HS256"}, {**payload, "role": "admin"}).rsplit(".", 1)[0]
    sig = hmac.new(keys["RS256"].public_pem(), unsigned.encode(), hashlib.sha256).digest()
    assert code_of(svc.verify, f"{unsigned}.{b64url_encode(sig)}") == "alg_mismatch"
    with pytest.raises(jwt.exceptions.InvalidKeyError):
        jwt.encode({"a": 1}, keys["RS256"].public_pem(), algorithm="HS256")


# --- denylist and refresh families (real Redis) ------------------------------------------


def test_denylist_ttl_is_remaining_lifetime(service):
    token = service.issue("alice", ttl=100)
    ttl = service.revoke(token)
    assert 100 <= ttl <= 100 + service.leeway + 1
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    assert 95 <= service.denylist.ttl(jti) <= 106
    assert code_of(service.verify, token) == "revoked"
    old = service.issue("alice", ttl=10, now=time.time() - 60)  # long expired: nothing to store
    assert (
        service.denylist.add(jwt.decode(old, options={"verify_signature": False})["jti"], time.time() - 50)
        == 0
    )


def test_without_redis_logout_revokes_nothing(keys):
    svc = TokenService(keys)
    token = svc.issue("alice")
    assert svc.logout(token) == 0
    assert svc.verify(token)["sub"] == "alice"  # a copy of the token still works
    with pytest.raises(TokenError):
        svc.login("alice")


def test_refresh_rotation_and_reuse_detection(service):
    first = service.login("alice", "user")
    second = service.refresh(first.refresh)
    assert second.refresh != first.refresh and service.verify(second.access)["sub"] == "alice"
    assert code_of(service.verify, first.refresh, expected_type="access") == "wrong_type"
    # the old refresh token shows up again (a thief's copy): the whole family is revoked
    assert code_of(service.refresh, first.refresh) == "refresh_reused"
    assert code_of(service.refresh, second.refresh) == "revoked"
    assert code_of(service.verify, second.access) == "revoked"
    assert code_of(service.verify, first.access) == "revoked"
    # another login (another family) is untouched
    other = service.login("alice", "user")
    assert service.verify(other.access)["sub"] == "alice"


def test_logout_revokes_the_family(service):
    pair = service.login("bob", "user")
    assert service.logout(pair.access) == 2
    assert code_of(service.verify, pair.access) == "revoked"
    assert code_of(service.refresh, pair.refresh) == "revoked"


def test_explicit_typing_rfc8725_rfc9068(keys):
    """Access tokens carry typ: at+jwt; a refresh token or an untyped JWT with the same key is refused."""
    svc = TokenService(keys)
    access = svc.issue("a", role="user")
    assert split_token(access)[0]["typ"] == "at+jwt" and svc.verify(access)["sub"] == "a"
    refresh = svc.issue("a", typ="refresh")
    assert split_token(refresh)[0]["typ"] == "rt+jwt"
    assert code_of(svc.verify, refresh) == "wrong_type"
    assert svc.verify(refresh, expected_type="refresh")["typ"] == "refresh"
    _, payload, _ = split_token(access)
    untyped = jwt.encode(payload, keys["HS256"].signing, algorithm="HS256", headers={"kid": "hs256-1"})
    assert split_token(untyped)[0]["typ"] == "JWT" and code_of(svc.verify, untyped) == "wrong_type"
    media = jwt.encode(
        payload,
        keys["HS256"].signing,
        algorithm="HS256",
        headers={"kid": "hs256-1", "typ": "application/at+jwt"},
    )
    assert svc.verify(media)["sub"] == "a"  # RFC 9068 §4 allows the full media type too
