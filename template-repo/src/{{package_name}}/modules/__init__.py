"""Feature modules, one package each.

Add one with graft: `graft copy <graft>/examples/crud . -d name=customers`
(or `examples/api-only`, `examples/service`).
"""
