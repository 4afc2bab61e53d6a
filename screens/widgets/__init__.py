"""Compound widgets of the workstation screens, one per module."""
