"""Use cases of the AI capability: practice personas, the coach, icebreakers, history."""
