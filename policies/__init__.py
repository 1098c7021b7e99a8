"""Allocation policies: which robot takes which subtask, and what they learn from feedback."""
