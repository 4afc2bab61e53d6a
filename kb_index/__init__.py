"""kb_index package."""
