"""The domain: plain Python values and rules, with no framework types.

Nothing here imports FastAPI, pydantic, SQLAlchemy or any other layer.
"""
