"""The administrators' pages: accounts (``/admin/akun``) and moving a caseload between
facilitators (``/admin/pindah-kpm``). Every other role gets 403 on every ``/admin`` page."""

from fastapi import APIRouter

from service.web.admin import accounts, transfer

router = APIRouter(include_in_schema=False)
router.include_router(accounts.router)
router.include_router(transfer.router)

__all__ = ["router"]
