"""Read a question into a frame: answer type, measure, entities, operation, unit; follow-ups fill its slots."""

from assistant.frame.frame import AnswerType, Measure, Operation, QuestionFrame, build_frame, per_unit

__all__ = ["AnswerType", "Measure", "Operation", "QuestionFrame", "build_frame", "per_unit"]
