"""Reusable admin components."""
