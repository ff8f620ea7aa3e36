"""Steward's HTTP API (FastAPI): the contract is the "HTTP API" section of DESIGN.md."""

from service.api.app import create_app

__all__ = ["create_app"]
