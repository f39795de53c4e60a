"""Product-based tasks: assignment, targets, commitments, product reports, verification."""
