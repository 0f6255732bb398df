"""Helpers that start real servers for the tests (never mocks) and talk to them.

Every server binds to 127.0.0.1 on a free port, runs in its own process group and logs to a
file, so a fixture that cannot start it can fail the test with the server's own words.
"""
