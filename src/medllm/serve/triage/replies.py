"""The fixed replies of the triage guardrail: an emergency gets an immediate safety message and
no model text; a harmful request a refusal, with crisis resources when self-harm may be meant; an
urgent message the answer plus a same-day-care notice. Fixed text, reviewed once, never generated."""

from __future__ import annotations

EMERGENCY = (
    "This may be a medical emergency. Call your local emergency number now (911 in the US and "
    "Canada, 999 or 112 in the UK, 112 in the EU, 000 in Australia) or go to the nearest "
    "emergency department. Do not wait for an online answer. While you wait: stay with the "
    "person, do not give food or drink, keep them still and comfortable, unlock the door, and "
    "have their medicines and allergies ready for the responders. If they stop breathing, start "
    "CPR if you know how and follow the dispatcher's instructions."
)
CRISIS = (
    "If you are thinking about ending your life or hurting yourself, you deserve support right "
    "now: call or text 988 (US and Canada), call Samaritans on 116 123 (UK and Ireland), or "
    "your local emergency number. If you are in immediate danger, call the emergency number now."
)
REFUSAL = (
    "I can't help with that: it could be used to seriously harm someone. If you or someone "
    "else is in danger, call your local emergency number."
)
URGENT_NOTICE = (
    "This sounds like it needs to be seen today: contact your doctor for a same-day appointment "
    "or go to an urgent care centre. If it gets worse, call your local emergency number."
)
SELF_HARM_RULES = ("self_harm_method", "suicide_plan")
SELF_HARM_WORDS = (
    "myself",
    "my life",
    "not wake",
    "end it",
    "suicid",
    "die",
    "my pills",
    "my meds",
)


def reply_for(label: str, text: str, rule: str = "") -> str | None:
    """The fixed reply for an emergency or a harmful request (None for the labels the model
    answers)."""
    if label == "emergency":
        return EMERGENCY
    if label == "harmful_request":
        lowered = text.lower()
        if rule in SELF_HARM_RULES or any(w in lowered for w in SELF_HARM_WORDS):
            return f"{REFUSAL}\n\n{CRISIS}"
        return REFUSAL
    return None
