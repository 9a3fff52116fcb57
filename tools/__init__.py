"""Instructor tools: generate labs/ from solutions/, strip secrets from outputs, run notebooks end to end."""
