"""Product-based tasks: catalogue, assignment, targets, commitments and their approved
changes, product reports, verification, the head of agency's overview, XLSX import/export.

The blueprint lives here so that ``routes`` and ``manage_routes`` register on one ``bp``."""
from flask import Blueprint

bp = Blueprint("performance", __name__)
