"""dtr-tui: change where a self-hosted Docker registry stores its images, safely."""

__version__ = "0.1.0"
