"""Agencies (a tree), users, roles held within an agency subtree, login, audit log."""
