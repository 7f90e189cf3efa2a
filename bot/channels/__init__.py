"""Channel adapters: verify and convert what a channel delivers, hand it to the service,
and put the reply back on the channel. Each has a ``setup(app)`` extension for the web app
that does nothing when the channel's credentials are not set."""
