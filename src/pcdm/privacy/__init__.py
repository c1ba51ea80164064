"""Disclosure control of the bi marts as one published family (docs/privacy.md).

family.py   the marts' cells as groups of persons and the constraints an attacker knows
audit.py    the attacker: LP (and small integer program) bounds of every withheld small count
protect.py  primary suppression, and secondary suppression by alternative tables

Issue 11 wires this into the build (the true cells of each mart, the decisions the marts publish by,
the auditor in the data-quality gate); until then the bi marts use macros/privacy/.
"""
