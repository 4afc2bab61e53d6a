"""Intake assist (受理辅助): suggests type, handling unit and a possible non-accepted reason.

Headless: no Textual, no HTTP, no SQL; scikit-learn is imported only when a model is
trained or used. The workstation suggests; the agent decides.
"""

from assist.assistant import Assistant, Suggestion, UnitSuggestion
from assist.directory import UnitArticle
from assist.lexicon import Emergency, detect_emergency
from assist.model import Model, TrainingOrder, read_orders, train

__all__ = [
    "UnitArticle",
    "Assistant",
    "Emergency",
    "Model",
    "Suggestion",
    "TrainingOrder",
    "UnitSuggestion",
    "detect_emergency",
    "read_orders",
    "train",
]
