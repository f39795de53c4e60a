"""Quarterly and yearly rating workflow: runs the policy engine, quotas, exports."""
