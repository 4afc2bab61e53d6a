"""workstation package."""
