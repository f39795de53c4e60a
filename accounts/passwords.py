"""The password policy: a minimum length and no common or guessable password.

``data/common-passwords.txt`` holds the 10,000 most common passwords of the list Django
ships (``django/contrib/auth/common-passwords.txt.gz``, BSD licence; compiled by Royce
Williams from breach corpora), lower-cased, one a line.  :data:`LOCAL` adds Vietnamese
ones that list lacks.  Passwords are hashed with scrypt (Werkzeug's default, ``User.set_password``).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
LOCAL = {
    "matkhau", "matkhau123", "matkhau1234", "matkhaumoi", "123456789a", "1234567890a", "a123456789",
    "abc123456789", "anhyeuem", "anhyeuem123", "emyeuanh", "emyeuanh123", "iloveyou123", "motconvit",
    "vietnam123", "vietnam2025", "vietnam2026", "hanoi12345", "saigon12345", "quantri123", "quantrivien",
    "admin12345", "admin@123", "admin@2026", "sathach123", "sathach2026", "congchuc123", "vienchuc123",
    "demo@2026", "password@123", "p@ssw0rd123", "qwerty@123", "1qaz2wsx3edc", "12345678910",
}
DEFAULT_MIN_LENGTH = 10


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    words = COMMON_FILE.read_text(encoding="utf-8").split("\n")
    return frozenset(w.strip().lower() for w in words if w.strip()) | LOCAL


def _fold(text: str) -> str:
    """Lower case without Vietnamese marks: "Mật khẩu" → "mat khau"."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


def min_length() -> int:
    return current_app.config.get("PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH) if has_app_context() \
        else DEFAULT_MIN_LENGTH


def problems(password: str, *, username: str = "", full_name: str = "") -> list:
    """What is wrong with ``password`` (translatable messages); empty when it is acceptable."""
    found = []
    if len(password) < min_length():
        found.append(_l("Use at least %(n)d characters.", n=min_length()))
    folded = _fold(password)
    if folded in common_passwords() or folded.replace(" ", "") in common_passwords():
        found.append(_l("This password is one of the most common passwords; choose another."))
    elif len(set(password)) <= 3:
        found.append(_l("This password repeats too few different characters."))
    names = [_fold(username)] + [_fold(part) for part in full_name.split() if len(part) >= 4]
    if any(name and len(name) >= 3 and name in folded for name in names):
        found.append(_l("The password must not contain your username or your name."))
    return found
