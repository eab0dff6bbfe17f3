"""sessionlab.web.tokens_vulnerable: the ⚠️ vulnerable verifier is labelled and needs each flaw."""

import pytest

from sessionlab.web.tokens import TokenError, TokenService, generate_keys
from sessionlab.web.tokens_vulnerable import FLAWS, VulnerableVerifier


@pytest.fixture(scope="module")
def keys():
    return generate_keys()


def code_of(fn, *args, **kwargs) -> str:
    with pytest.raises(TokenError) as info:
        fn(*args, **kwargs)
    return info.value.code


def test_vulnerable_verifier_is_labelled_and_needs_each_flaw(keys):
    from sessionlab.labs.lab04a_attacks import forge_alg_none, tamper

    svc = TokenService(keys)
    token = svc.issue("alice", role="user")
    none_token = forge_alg_none(token, role="admin")
    assert VulnerableVerifier.VULNERABLE
    assert VulnerableVerifier(keys, flaws=("alg_none",)).verify(none_token)["role"] == "admin"
    assert code_of(VulnerableVerifier(keys, flaws=("no_exp",)).verify, none_token) == "unknown_kid"
    assert VulnerableVerifier(keys, flaws=()).verify(token)["sub"] == "alice"
    assert code_of(VulnerableVerifier(keys, flaws=()).verify, tamper(token, role="admin")) == "bad_signature"
    with pytest.raises(ValueError):
        VulnerableVerifier(keys, flaws=("typo",))


def test_flaws_are_explained_and_reexported():
    from sessionlab.web import tokens

    assert tokens.VulnerableVerifier is VulnerableVerifier and tokens.FLAWS is FLAWS
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in text) for text in FLAWS.values())


def test_jwk_and_jku_header_injection_need_their_flaws(keys):
    from sessionlab import serve
    from sessionlab.apps.token_attacker import create_token_attacker_app
    from sessionlab.labs.lab04a_injection import attacker_jwks, attacker_key, forge_jku, forge_jwk_header

    svc = TokenService(keys)
    token, mine = svc.issue("alice", role="user"), attacker_key()
    embedded = forge_jwk_header(token, mine, role="admin")
    assert VulnerableVerifier(keys, flaws=("jwk_header",)).verify(embedded)["role"] == "admin"
    assert code_of(VulnerableVerifier(keys, flaws=()).verify, embedded) == "bad_signature"
    assert code_of(svc.verify, embedded) == "bad_signature"
    thief = create_token_attacker_app()
    thief.jwks = attacker_jwks(mine)
    with serve(thief) as evil:
        remote = forge_jku(token, mine, evil.url + "/jwks.json", role="admin")
        assert VulnerableVerifier(keys, flaws=("jku_header",)).verify(remote)["role"] == "admin"
        assert code_of(svc.verify, remote) == "bad_signature"
        assert thief.jwks_fetches == 1  # only the vulnerable verifier went to fetch it
    far = forge_jku(token, mine, "http://203.0.113.9/jwks.json", role="admin")
    assert code_of(VulnerableVerifier(keys, flaws=("jku_header",)).verify, far) == "invalid"  # loopback only
