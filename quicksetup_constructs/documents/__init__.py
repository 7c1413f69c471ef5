"""The SSM documents this library creates (AWS publishes no document for these jobs)."""
