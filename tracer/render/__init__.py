"""Offline rendering of parsed diagrams to SVG and PNG."""
