"""PROXY_FIX (DECISIONS.md 19): behind a proxy the client's address comes from X-Forwarded-For;
without the setting the header is ignored (a client could otherwise choose its address)."""
from flask import request

from app import create_app


def _seen_address(hops: int, tmp_path) -> str:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t", "PROXY_FIX": hops,
                      "STORAGE_DIR": str(tmp_path), "AUDIT_CHECKPOINT": str(tmp_path / "c.json")})
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "10.9.8.7"},
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"})
    return response.get_data(as_text=True)


def test_forwarded_address_is_trusted_only_behind_the_configured_proxy(tmp_path):
    assert _seen_address(0, tmp_path) == "127.0.0.1"
    assert _seen_address(1, tmp_path) == "10.9.8.7"
