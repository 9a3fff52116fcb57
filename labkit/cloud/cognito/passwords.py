"""Cognito's password policy, in Cognito's words (moto checks only the length).

    problem(password, policy)   the first rule of the pool's PasswordPolicy the password breaks, or None
"""

from __future__ import annotations

from typing import Any

# Cognito's special characters (Cognito developer guide, "Adding user pool password requirements"); a space that
# neither leads nor trails counts as one.
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")


def problem(password: str, policy: dict[str, Any]) -> str | None:
    """The first rule of the pool's policy the password breaks, in Cognito's words; None if it conforms.
    Without a PasswordPolicy, Cognito's defaults apply: at least 8 characters, all four character classes."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    rules = (("RequireUppercase", str.isupper, "uppercase"), ("RequireLowercase", str.islower, "lowercase"),
             ("RequireNumbers", str.isdigit, "numeric"))
    for setting, test, words in rules:
        if policy.get(setting, True) and not any(test(c) for c in password):
            return f"Password must have {words} characters"
    inner_space = " " in password.strip(" ")
    if policy.get("RequireSymbols", True) and not inner_space and not any(c in SYMBOLS for c in password):
        return "Password must have symbol characters"
    return None
