"""The agency staff's journey: their organisation's programmes, the programme form with the
eligibility rule builder and its live preview (``programs``), and the demand in their service
area (``demand``), its profile and service points (``profile``) and its answers to forum
invitations (``answers``). Admins choose the organisation with ``?org=``."""

from fastapi import APIRouter

from service.web.agency import answers, demand, profile, programs

router = APIRouter(include_in_schema=False)
router.include_router(programs.router)
router.include_router(demand.router)
router.include_router(profile.router)
router.include_router(answers.router)

__all__ = ["router"]
