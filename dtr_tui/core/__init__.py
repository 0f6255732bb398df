"""The pure core: storage models, the config document, the plan and the safe write.

Nothing here imports Textual, Docker or a cloud SDK, so the CLI, the screen and the tests
all stand on the same fast, side-effect-free code.
"""
