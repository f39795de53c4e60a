"""Who may sit, from where: the optional exam password and the allowed address ranges."""
import ipaddress
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash


@lru_cache(maxsize=256)
def parse_networks(text: str) -> tuple:
    """CIDR ranges, one a line or comma-separated ("10.0.0.0/8, 2001:db8::/32").
    Raises ValueError naming the first range that does not parse."""
    nets = []
    for item in (text or "").replace(",", "\n").splitlines():
        item = item.strip()
        if item:
            nets.append(ipaddress.ip_network(item, strict=False))
    return tuple(nets)


def address_allowed(exam, address: str | None) -> bool:
    """True when the exam has no ranges or ``address`` lies in one of them."""
    nets = parse_networks(exam.allowed_networks or "")
    if not nets:
        return True
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in nets)


def set_password(exam, password: str | None) -> None:
    exam.password_hash = generate_password_hash(password) if password else None


def password_ok(exam, password: str | None) -> bool:
    return not exam.password_hash or bool(password) and check_password_hash(exam.password_hash, password)
