"""Pydantic models of what goes over the wire; the domain never sees them."""
