"""Which workspace a command may act on: the rules, apart from any database."""

from __future__ import annotations


def training_reset_refusal(kind: str | None, holds_register_data: bool, where: str) -> str | None:
    """Why a training reset must not touch this database, or None when it may."""
    if kind == "register":
        return (
            f"Refused: {where} is the register (marked 'register'), not a training workspace; "
            "set CADASTRE_TRAINING_DATABASE_URL to the training database."
        )
    if kind is None and holds_register_data:
        return (
            f"Refused: {where} is not marked as a training workspace and holds licences, "
            "holders or users; point CADASTRE_TRAINING_DATABASE_URL at an empty or training "
            "database."
        )
    return None


def register_refusal(kind: str | None, where: str) -> str | None:
    """Why a register command must not act on this database, or None when it may."""
    if kind == "training":
        return (
            f"Refused: {where} is a training workspace (marked 'training'), not the register; "
            "check CADASTRE_DATABASE_URL."
        )
    return None
