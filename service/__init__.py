"""Jejaring's web service: the FastAPI app, its API and pages, the CLI and settings."""
