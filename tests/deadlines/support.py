"""Rows with deadlines, written straight to the tables (the query reads only their columns):
licences at a status with their dates, open obligations, orders to pay and notices."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import text

from cadastre.domain.lifecycle import remedy_deadline


class Rows:
    """Writes deadline rows for one test; ``today`` is the day the query is asked on."""

    def __init__(self, session, holder_id: int, today: date):
        self.session, self.holder_id, self.today, self.n = session, holder_id, today, 0

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def licence(
        self,
        licence_type="exploration",
        status="granted",
        *,
        expires=None,
        decision_due=None,
        stage=None,
        district="Kono",
        renewals=0,
    ) -> int:
        """A licence; ``expires`` and ``decision_due`` are days from today."""
        self.n += 1
        x, y = -12.5 + self.n * 0.01, 8.5
        return self.session.execute(
            text(
                """
                INSERT INTO licences (code, licence_type, status, commodities, holder_id, geom,
                  area_ha, granted_at, expires_at, renewals, notes, version, risk_reasons,
                  stage, decision_due, district)
                VALUES (:code, :t, :status, ARRAY['gold']::varchar[], :holder,
                  ST_Multi(ST_MakeEnvelope(:x, :y, :x + 0.004, :y + 0.004, 4326)), 10,
                  :granted, :expires, :renewals, '{}', 1, '{}', :stage, :due, :district)
                RETURNING id
                """
            ),
            {
                "code": f"DL/{self.n}",
                "t": licence_type,
                "status": status,
                "holder": self.holder_id,
                "x": x,
                "y": y,
                "granted": self.day(-400) if status not in ("application", "approved") else None,
                "expires": None if expires is None else self.day(expires),
                "renewals": renewals,
                "stage": stage,
                "due": None if decision_due is None else self.day(decision_due),
                "district": district,
            },
        ).scalar_one()

    def obligation(self, licence_id: int, due: int, status="open", label="Annual report 2026"):
        self.n += 1
        closed = status != "open"
        return self.session.execute(
            text(
                """
                INSERT INTO licence_obligations (licence_id, key, kind, label, document_kind,
                  due_on, status, document_id, waiver_reason, resolved_by, resolved_at)
                VALUES (:lic, :key, 'annual_report', :label, 'annual_report', :due, :status,
                  NULL, :why, :by, :at) RETURNING id
                """
            ),
            {
                "lic": licence_id,
                "key": f"annual_report:{self.n}",
                "label": label,
                "due": self.day(due),
                "status": status,
                "why": "waived in a test" if closed else None,
                "by": "t" if closed else None,
                "at": datetime.now() if closed else None,
            },
        ).scalar_one()

    def order(self, licence_id: int, due: int, status="open", amount="1000.00", paid="250.00"):
        self.n += 1
        return self.session.execute(
            text(
                """
                INSERT INTO orders_to_pay (number, licence_id, holder_id, kind, key, amount,
                  currency, paid, raised_on, due_on, status, basis, raised_by)
                VALUES (:number, :lic, :holder, 'annual_charge', :key, :amount, 'USD', :paid,
                  :raised, :due, :status, 'test', 'test') RETURNING id
                """
            ),
            {
                "number": f"OTP/T/{self.n}",
                "lic": licence_id,
                "holder": self.holder_id,
                "key": f"annual:{self.n}",
                "amount": amount,
                "paid": paid,
                "raised": self.day(-60),
                "due": self.day(due),
                "status": status,
            },
        ).scalar_one()

    def notice(self, licence_id: int, issued: int, remedy_days: int, remedied=False):
        """A notice issued ``issued`` days from today (negative: in the past)."""
        issued_on = self.day(issued)
        return self.session.execute(
            text(
                """
                INSERT INTO licence_notices (licence_id, cause, breach, remedy_days,
                  remedy_source, issued_at, issued_by, remedy_by, remedied_at, remedied_by)
                VALUES (:lic, 'Failure to file the annual report', 'No report', :days, 'test',
                  :at, 'sup', :by, :remedied_at, :remedied_by) RETURNING id
                """
            ),
            {
                "lic": licence_id,
                "days": remedy_days,
                "at": datetime.combine(issued_on, time(9)),
                "by": remedy_deadline(issued_on, remedy_days),
                "remedied_at": datetime.now() if remedied else None,
                "remedied_by": "sup" if remedied else None,
            },
        ).scalar_one()
