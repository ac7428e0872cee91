"""Feature modules, one package each.

Add one with graft: `graft copy <template>/examples/service-module . -d name=customers`.
"""
