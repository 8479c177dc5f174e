"""Password strength: at least 12 characters, not the username, and not guessable.

"Guessable" is zxcvbn's estimate (common-password and word lists, keyboard patterns, dates,
repeats, the username and the product's name as hints): a score of at least 3 of 4 is required.
The refusal says why, never what the password was.
"""

from __future__ import annotations

from zxcvbn import zxcvbn

from workflow.errors import InvalidAction

__all__ = ["MIN_LENGTH", "check_strength"]

MIN_LENGTH = 12
_MIN_SCORE = 3
_CHECKED = 100
"""zxcvbn's time grows fast with length; the first 100 characters decide."""


def check_strength(password: str, username: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidAction(f"the password needs at least {MIN_LENGTH} characters")
    if password.strip().casefold() == username.casefold():
        raise InvalidAction("the password cannot be the username")
    verdict = zxcvbn(password[:_CHECKED], user_inputs=[username, "vigie"])
    if verdict["score"] < _MIN_SCORE:
        hint = verdict["feedback"].get("warning") or "it is too easy to guess"
        raise InvalidAction(
            f"choose a stronger password: {hint.rstrip('.')}; a few unusual words work well"
        )
