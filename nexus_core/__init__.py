"""Nexus Media: the headless core (models, storage, processing, services, HTTP routers)."""
