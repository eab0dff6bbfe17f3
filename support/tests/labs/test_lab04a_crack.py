import hmac

import pytest

from sessionlab.labs.lab04a_crack import hmac_sha256


@pytest.mark.parametrize("key_len", [0, 1, 32, 63, 64, 65, 200])
@pytest.mark.parametrize("message", [b"", b"a.b", bytes(range(256)) * 3])
def test_hmac_sha256_is_the_standard_hmac(key_len, message):
    # 64 is SHA-256's block size: shorter keys are padded, longer ones hashed first.
    key = bytes((7 * i + key_len) % 256 for i in range(key_len))
    assert hmac_sha256(key, message) == hmac.digest(key, message, "sha256")
