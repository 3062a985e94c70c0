"""Browser tests: a real `nexus serve` subprocess driven by Playwright (run as their own pytest process)."""
