"""Services: one unit of work per user action, each taking a session."""
