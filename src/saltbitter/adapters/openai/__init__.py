"""Language models: OpenAI chat completions through the official SDK, and the embedded
stand-in used when no API key is configured."""
