"""A Telegram and SMS chatbot on labour migrants' rights, in Kyrgyz, Tajik, Uzbek and Russian."""

__version__ = "0.1.0"
