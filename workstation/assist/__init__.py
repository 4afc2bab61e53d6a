"""Intake assist (受理辅助): suggests type, handling unit and a possible non-accepted reason.

Headless: no Textual, no HTTP, no SQL; scikit-learn is imported only when a model is
trained or used. The workstation suggests; the agent decides.
"""

from workstation.assist.assistant import Assistant, Suggestion, UnitSuggestion
from workstation.assist.directory import Article
from workstation.assist.lexicon import Emergency, detect_emergency
from workstation.assist.model import Model, TrainingOrder, read_orders, train

__all__ = [
    "Article",
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
