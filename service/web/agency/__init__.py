"""The agency staff's journey: their organisation's programmes, the programme form with the
eligibility rule builder and its live preview (``programs``), and the demand in their service
area (``demand``). Admins choose the organisation with ``?org=``."""

from fastapi import APIRouter

from service.web.agency import demand, programs

router = APIRouter(include_in_schema=False)
router.include_router(programs.router)
router.include_router(demand.router)

__all__ = ["router"]
