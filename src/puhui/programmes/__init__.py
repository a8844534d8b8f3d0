"""Programmes: workshops and training programmes — rosters, attendance, completion rules,
completion credentials, and who was reached (with small cells suppressed).

This engine holds the rules and the file formats (plain functions over the records of
:mod:`puhui.programmes.types`); where programmes are kept and shown is the hub's
(``puhui.hub.programmes``), and ``puhui programme`` is a thin client of both.
"""
