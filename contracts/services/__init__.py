"""Writes for contracts: lifecycle, legality review, amendments, milestones, evidence."""
