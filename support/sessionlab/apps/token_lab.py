"""The token app's state (``TokenLab``): its token service, the verifier it trusts, the accounts.

Split from ``apps.token`` (which re-exports ``TokenLab`` and ``DEFAULT_USERS``). The accounts
are read again at every refresh (``current_role``), so ``set_role`` (demote, or delete with
``None``) reaches a logged-in user at the next refresh at the latest.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from sessionlab.apps._common import variant_name
from sessionlab.web.passwords import account_hashes, dummy_hash, verify_password
from sessionlab.web.tokens import TokenService

__all__ = ["TokenLab", "DEFAULT_USERS"]

DEFAULT_USERS = {"alice": ("alice-pw", "user"), "admin": ("admin-pw", "admin")}


# scrypt (a slow, salted KDF, as in the login apps) with a smaller cost: the token labs log in often.
TOKEN_N = 2**12


@dataclass
class TokenLab:
    """One token app's state: the token service, the verifier it trusts, and the accounts."""

    service: TokenService
    verifier: object
    vulnerable: bool = False
    cookie_secure: bool = False
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # user → (stored hash, role)
    cookie_samesite: str = "Lax"
    cors: str | None = None  # None, or "reflect" (⚠️ VULNERABLE: any Origin, with credentials)
    seen: deque = field(default_factory=lambda: deque(maxlen=500))  # what reached RECORDED_PATHS

    @classmethod
    def build(cls, service: TokenService, users: dict | None, verifier, cookie_secure: bool) -> TokenLab:
        vulnerable = verifier is not None and getattr(verifier, "VULNERABLE", False)
        users = users or DEFAULT_USERS
        hashes = account_hashes({user: password for user, (password, _role) in users.items()}, n=TOKEN_N)
        accounts = {user: (hashes[user], role) for user, (_password, role) in users.items()}
        return cls(service, verifier or service.verifier, vulnerable, cookie_secure, accounts)

    @property
    def variant(self) -> str:
        return variant_name(not self.vulnerable)

    def role_of(self, user: str, password: str) -> str | None:
        """The user's role if the password is right, else None (an unknown user costs the same hash)."""
        stored, role = self.accounts.get(user, (dummy_hash(TOKEN_N), None))
        ok = verify_password(password, stored) and role is not None
        return role if ok else None

    def current_role(self, user: str) -> str | None:
        """The account's role *now* (read at every refresh); None once it is deleted."""
        account = self.accounts.get(user)
        return account[1] if account is not None else None

    def set_role(self, user: str, role: str | None) -> None:
        """Change an account's role, or delete it (``None``): the next refresh sees the change."""
        if role is None:
            self.accounts.pop(user, None)
        else:
            stored, _old = self.accounts[user]
            self.accounts[user] = (stored, role)
