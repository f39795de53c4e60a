"""Quarterly and yearly rating workflow: runs the policy engine, quotas, council decisions,
rewards, exports (XLSX lists, PDF rating sheets).

The blueprint lives here so that each view module (``routes``, ``workflow_routes``,
``reward_routes``, ``sheet_routes``) registers on the same ``bp``.
"""
from flask import Blueprint

from accounts.models import Role

bp = Blueprint("classification", __name__)

RATE = (Role.HR_OFFICER,)                                   # run, propose, reopen, exceptions, achievements
VIEW = (Role.HR_OFFICER, Role.HEAD, Role.COUNCIL_SECRETARY)
COUNCIL = (Role.COUNCIL_SECRETARY, Role.HR_OFFICER)         # record the council's decisions
APPROVE = (Role.HEAD, Role.HR_OFFICER)                      # approve and lock
SUPERVISE = (Role.SUPERVISOR, Role.HEAD)
