"""Understanding what a person wrote: which language and script, whether they are in
danger, and which topic they ask about.

- ``langdetect`` (with ``langmodel``, ``langcorpus`` and the seed texts in ``langdata/``):
  the language and script of a message;
- ``translit``: Uzbek Latin ⇄ Cyrillic;
- ``danger``: words of danger and urgent pleas, in every language and script;
- ``matcher``: a typed question → a topic, a short choice, or nothing.

Handlers in ``handlers/`` only decide what to answer; everything that reads the person's
words lives here.
"""
