"""Notifications: templates, the outbox and delivery channels."""
