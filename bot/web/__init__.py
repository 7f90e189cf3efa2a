"""The aiohttp web application: health, simulator, and the channels' webhooks."""
