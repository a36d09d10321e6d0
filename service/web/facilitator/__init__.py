"""The facilitator's journey: the caseload and its screening, a family's page, the network page.
(The referral board, shared with agency staff, is ``service.web.referrals``.)"""
