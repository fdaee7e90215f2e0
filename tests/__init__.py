"""audiocast test suite."""
