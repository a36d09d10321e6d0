"""ASGI entry point: ``uvicorn service.asgi:app``."""

from service.app import create_app

app = create_app()
