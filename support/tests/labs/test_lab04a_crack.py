import base64
import hmac

import pytest

from sessionlab.labs.lab04a_crack import SUFFIXES, crack_hs256, hmac_sha256


@pytest.mark.parametrize("key_len", [0, 1, 32, 63, 64, 65, 200])
@pytest.mark.parametrize("message", [b"", b"a.b", bytes(range(256)) * 3])
def test_hmac_sha256_is_the_standard_hmac(key_len, message):
    # 64 is SHA-256's block size: shorter keys are padded, longer ones hashed first.
    key = bytes((7 * i + key_len) % 256 for i in range(key_len))
    assert hmac_sha256(key, message) == hmac.digest(key, message, "sha256")


def _token(secret: str) -> str:
    # A token signed by the standard library's HMAC, not by the code under test.
    signing_input = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSJ9"
    signature = hmac.digest(secret.encode("utf-8"), signing_input, "sha256")
    return f"{signing_input.decode()}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


# Short words, a word that fills SHA-256's 64-byte block only with its ending, one longer than a block,
# and a non-ASCII word (its UTF-8 bytes are the key).
WORDS = ["apple", "banana", "x" * 62, "y" * 70, "비밀", "zebra"]


@pytest.mark.parametrize(
    "secret", ["apple", "apple0", "banana99", "x" * 62, "x" * 62 + "42", "y" * 70 + "7", "비밀12", "zebra5"]
)
def test_crack_finds_each_kind_of_candidate_and_counts_what_it_tried(secret):
    result = crack_hs256(_token(secret), WORDS, progress=False)
    word = next(w for w in WORDS if secret.startswith(w))
    ending = SUFFIXES.index(secret[len(word) :])
    assert result.secret == secret
    assert result.tried == WORDS.index(word) * len(SUFFIXES) + ending + 1


def test_crack_tries_every_candidate_before_giving_up():
    result = crack_hs256(_token("not-in-the-list"), WORDS, progress=False)
    assert not result.found and result.tried == result.total == len(WORDS) * len(SUFFIXES)
