"""The Finance forms: a payment from the bank's receipt, its reversal; and the clerk's
finalise button. The rules are the payment service's: the forms only carry the text."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from cadastre.forms.forms import CadastreForm


class PaymentForm(CadastreForm):
    """A payment as printed on the bank's receipt (checked by services.payments)."""

    licence_id = StringField("Licence code (leave empty to pay a holder's account)")
    holder_id = StringField("Holder id (for a payment to the holder's account)")
    amount = StringField("Amount", validators=[Length(max=40)])
    currency = SelectField("Currency", coerce=str, validate_choice=False)
    paid_on = StringField("Paid on (date on the receipt)", validators=[Length(max=20)])
    bank = StringField("Bank", validators=[Length(max=200)])
    receipt_number = StringField("Receipt number", validators=[Length(max=80)])
    credit = BooleanField("Keep any overpayment as credit on the holder's account")


class ReversalForm(CadastreForm):
    """Undo a payment the bank did not honour; the reason is kept on record."""

    reason = TextAreaField("Reason for the reversal", validators=[Length(max=2000)])


class FinaliseForm(CadastreForm):
    """Finalise an approved licence once its order to pay is paid."""

    version = HiddenField()
    reason = TextAreaField("Note (optional)", validators=[Length(max=4000)])
