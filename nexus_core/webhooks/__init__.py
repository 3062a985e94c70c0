"""Webhooks: the project's events sent, signed, to the receivers its admins add (see the README)."""
