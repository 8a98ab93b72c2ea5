"""derisk.plan: remediation schedules with a real optimiser, and what-if scenarios."""
