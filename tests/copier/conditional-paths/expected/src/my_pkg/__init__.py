"""my_pkg."""
