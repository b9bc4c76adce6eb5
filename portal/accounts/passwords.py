"""A sensible password rule: long enough, not one character repeated, not a well-known one."""

COMMON_PASSWORDS = frozenset(
    [
        "1234567890",
        "12345678910",
        "123456789a",
        "0987654321",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "qwertyuiop1",
        "asdfghjkl1",
        "zxcvbnm123",
        "password12",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou12",
        "letmein123",
        "welcome123",
        "admin12345",
        "administrator",
        "football12",
        "baseball12",
        "monkey1234",
        "dragon1234",
        "sunshine12",
        "princess12",
        "trustno123",
        "superman12",
        "starwars12",
        "changeme123",
        "community1",
        "community123",
        "abcdefghij",
        "abc1234567",
        "aaaaaaaaaa",
    ]
)


def password_problem(password: str) -> str | None:
    """Why this password is too weak, or None when it is fine."""
    if len(password) < 10:
        return "Use at least 10 characters."
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return "Use more than three different characters."
    if lowered in COMMON_PASSWORDS or lowered.rstrip("0123456789!") in {"password", "qwerty"}:
        return "That password is too common; pick something less guessable."
    return None
