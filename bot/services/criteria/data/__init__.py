"""Shipped criteria catalogs (YAML), read with importlib.resources."""
