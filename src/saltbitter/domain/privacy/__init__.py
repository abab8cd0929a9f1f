"""Members' privacy rights and the controller's duties: data exports (GDPR Art. 15/20)
and the breach register with its 72-hour clock (Art. 33/34)."""
