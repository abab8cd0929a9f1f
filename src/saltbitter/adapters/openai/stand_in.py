"""The embedded stand-in: answers from templates, says it is a stand-in, calls nobody."""

from __future__ import annotations

from saltbitter.application.ports.ai import (
    AiTask,
    LanguageModel,
    MessageRole,
    ModelReply,
    ModelRequest,
)
from saltbitter.domain.ai.personas import persona

__all__ = ["STAND_IN_NOTE", "TemplateLanguageModel"]

STAND_IN_NOTE = "(Stand-in AI: no language model is configured, so this answer is a template.)"

_FEEDBACK = (
    "Tone: friendly is a good default; read it aloud and check it sounds like you. "
    "Clarity: one clear question is easier to answer than several. "
    "Length: a few sentences usually lands better than a long message."
)
_EXPLAIN = (
    "Your result ({style}) describes how you tend to feel and act in close relationships "
    "as you answered the questions today. It is a snapshot, not a diagnosis, and styles "
    "can change over time and with different people."
)
_NEAR = " Your answers sit near a boundary, so the neighbouring style may fit you too."
_GENERIC_OPENERS = (
    "What has been the best part of your week so far?",
    "If you had a free Saturday tomorrow, how would you spend it?",
    "What is something you are looking forward to this month?",
)


class TemplateLanguageModel(LanguageModel):
    async def reply(self, request: ModelRequest) -> ModelReply:
        if request.task is AiTask.PRACTICE:
            return self._practice(request)
        if request.task is AiTask.DRAFT_FEEDBACK:
            return ModelReply(f"{_FEEDBACK} {STAND_IN_NOTE}", stand_in=True, model="stand-in")
        if request.task is AiTask.EXPLAIN_ASSESSMENT:
            style = request.topics[0] if request.topics else "your"
            text = _EXPLAIN.format(style=style)
            if any("near the boundary" in turn.text for turn in request.turns):
                text += _NEAR
            return ModelReply(f"{text} {STAND_IN_NOTE}", stand_in=True, model="stand-in")
        openers = [
            f"I noticed we both like {topic}: how did you get into it?" for topic in request.topics
        ]
        items = tuple([*openers, *_GENERIC_OPENERS][: max(request.list_of, 1)])
        return ModelReply(STAND_IN_NOTE, items=items, stand_in=True, model="stand-in")

    def _practice(self, request: ModelRequest) -> ModelReply:
        openers = persona(request.persona).openers if request.persona else ("Hi!",)
        said = sum(1 for turn in request.turns if turn.role is MessageRole.MEMBER)
        line = openers[min(said - 1, len(openers) - 1)] if said else openers[0]
        return ModelReply(f"{line} {STAND_IN_NOTE}", stand_in=True, model="stand-in")
