"""The headless commands: every action of the screen, for install scripts."""
