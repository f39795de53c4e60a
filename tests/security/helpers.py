"""Logging a test client in without the password round trip (scrypt costs ~0.1 s a login)."""
import time

from accounts import sessions
from extensions import db


def login_as(client, user, *, second_factor=False):
    """Give ``client`` a session of ``user`` exactly as :func:`accounts.sessions.start` would."""
    token = sessions.open_record(user, second_factor=second_factor)
    db.session.commit()
    now = int(time.time())
    with client.session_transaction() as s:
        s.clear()
        s.update({"_user_id": user.get_id(), "_fresh": True, "sid": token, "seen": now, "login_at": now})
        s.permanent = True
    return client


def logout(client):
    with client.session_transaction() as s:
        s.clear()
    return client
