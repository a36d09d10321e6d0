"""Households (KPM) and their businesses: the caseload a facilitator keeps."""
