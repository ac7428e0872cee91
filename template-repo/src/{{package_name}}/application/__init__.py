"""Use cases: they orchestrate the domain through ports (protocols).

Depends on `domain` only; infrastructure implements the ports and
`bootstrap` wires the implementations in.
"""
