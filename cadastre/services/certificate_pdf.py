"""Draw a licence certificate as a PDF (fpdf2), from facts read by ``services.certificate``.

Everything is on the machine: the text font is DejaVu from Debian's ``fonts-dejavu-core``
(scripts/setup-system.sh installs it) or, where it is missing, the PDF core font Helvetica;
the maps are drawn as vector lines from PostGIS geometry; the QR code is made by ``qrcode``.
Printing never touches the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import qrcode
from fpdf import FPDF
from qrcode.image.pil import PilImage

from cadastre.domain.certificate import dms, scale_bar_metres, utm_label
from cadastre.domain.geometry import format_area

if TYPE_CHECKING:
    from cadastre.services.certificate import CertificateFacts

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
INK = (20, 20, 20)
AREA = (200, 30, 30)
LAND = (236, 232, 220)


class _Sheet(FPDF):
    """An A4 page in millimetres with the register's fonts."""

    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(15, 12, 15)
        self.set_auto_page_break(True, margin=15)
        self.wide = (FONT_DIR / "DejaVuSans.ttf").is_file() and (
            FONT_DIR / "DejaVuSans-Bold.ttf"
        ).is_file()
        if self.wide:
            self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.face = FONT if self.wide else "Helvetica"

    def use(self, size: float, bold: bool = False) -> None:
        """Set the text font."""
        self.set_font(self.face, "B" if bold else "", size)

    def say(self, value: object) -> str:
        """Text the font can write (the core font knows Latin-1 only)."""
        s = "" if value is None else str(value)
        return s if self.wide else s.encode("latin-1", "replace").decode("latin-1")

    def line_of(self, value: object, size: float = 10, bold: bool = False, h: float = 5.5):
        """One full-width line of text."""
        self.use(size, bold)
        self.multi_cell(0, h, self.say(value), align="L", new_x="LMARGIN", new_y="NEXT")


def render_certificate(facts: CertificateFacts) -> bytes:
    """The certificate as PDF bytes."""
    pdf = _Sheet()
    pdf.set_title(f"Licence certificate {facts.code}")
    pdf.set_author(facts.authority)
    pdf.set_creator("Mining Cadastre")
    pdf.add_page()
    _heading(pdf, facts)
    _terms(pdf, facts)
    _maps(pdf, facts, top=pdf.get_y() + 2)
    _corners(pdf, facts)
    _signatures(pdf, facts)
    return bytes(pdf.output())


def _heading(pdf: _Sheet, facts: CertificateFacts) -> None:
    pdf.set_text_color(*INK)
    pdf.use(9)
    pdf.cell(
        0, 5, pdf.say(f"Republic of {facts.jurisdiction}"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.use(15, bold=True)
    pdf.cell(0, 8, pdf.say(facts.authority), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.use(13, bold=True)
    pdf.cell(
        0, 7, pdf.say(f"{facts.type_label}: certificate"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.use(12)
    pdf.cell(0, 7, pdf.say(f"Licence code {facts.code}"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*INK)
    pdf.line(15, pdf.get_y() + 1, 195, pdf.get_y() + 1)
    pdf.ln(3)


def _terms(pdf: _Sheet, facts: CertificateFacts) -> None:
    holder = facts.holder_name
    if facts.registration_number:
        holder += f" (company registration number {facts.registration_number})"
    depth = f"{facts.max_depth_m:g} m" if facts.max_depth_m is not None else "not limited"
    mech = {True: "allowed", False: "not allowed", None: "as the Act provides"}[facts.mechanised]
    rows = [
        ("Holder", holder),
        ("Commodities", ", ".join(c.replace("_", " ") for c in facts.commodities) or "-"),
        ("Granted on", facts.granted_at or "-"),
        ("Expires on", facts.expires_at or "-"),
        ("Area", format_area(facts.area_ha)),
        ("Status", facts.status + (" (rights suspended)" if facts.status == "suspended" else "")),
        ("Conditions", f"maximum depth {depth}; mechanised earth-moving {mech}"),
    ]
    for label, value in rows:
        pdf.use(10, bold=True)
        pdf.cell(32, 5.5, pdf.say(label))
        pdf.use(10)
        pdf.multi_cell(0, 5.5, pdf.say(value), align="L", new_x="LMARGIN", new_y="NEXT")


def _rings(geometry: dict | None) -> list[list[tuple[float, float]]]:
    """The rings of a GeoJSON polygon or multipolygon."""
    if not geometry:
        return []
    polys = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [[(float(x), float(y)) for x, y, *_ in ring] for poly in polys for ring in poly]


class _Frame:
    """Map metres (UTM) into a box on the page, north up, one scale in both directions."""

    def __init__(self, bounds, box) -> None:
        minx, miny, maxx, maxy = bounds
        self.x, self.y, self.w, self.h = box
        span = max(maxx - minx, (maxy - miny) * self.w / self.h, 1.0)
        self.k = self.w / span  # mm per metre
        self.cx, self.cy = (minx + maxx) / 2, (miny + maxy) / 2

    def at(self, e: float, n: float) -> tuple[float, float]:
        return (
            self.x + self.w / 2 + (e - self.cx) * self.k,
            self.y + self.h / 2 - (n - self.cy) * self.k,
        )


def _bounds(rings, pad: float) -> tuple[float, float, float, float]:
    xs = [x for r in rings for x, _ in r]
    ys = [y for r in rings for _, y in r]
    dx, dy = (max(xs) - min(xs)) * pad, (max(ys) - min(ys)) * pad
    return min(xs) - dx, min(ys) - dy, max(xs) + dx, max(ys) + dy


def _maps(pdf: _Sheet, facts: CertificateFacts, top: float) -> None:
    """Two maps: the country's outline with the area marked, and the area with its corners."""
    area = _rings(facts.area_utm)
    country = _rings(facts.country_utm) or area
    w, h = 88.0, 72.0
    pdf.use(9, bold=True)
    pdf.text(15, top + 3, pdf.say(f"Location in {facts.jurisdiction}"))
    pdf.text(107, top + 3, pdf.say("The licence area and its corners"))
    boxes = [(15, top + 5, w, h), (107, top + 5, w, h)]
    for x, y, bw, bh in boxes:
        pdf.set_draw_color(*INK)
        pdf.set_line_width(0.3)
        pdf.rect(x, y, bw, bh)
    outer = _Frame(_bounds(country, 0.05), (boxes[0][0] + 2, boxes[0][1] + 2, w - 4, h - 4))
    pdf.set_fill_color(*LAND)
    pdf.set_line_width(0.2)
    for ring in country:
        pdf.polygon([outer.at(*p) for p in ring], style="DF")
    cx, cy = outer.at(*_centre(area))
    pdf.set_draw_color(*AREA)
    pdf.set_line_width(0.6)
    pdf.circle(x=cx, y=cy, radius=2.5, style="D")
    pdf.set_line_width(0.2)
    _scale_bar(pdf, outer, boxes[0])
    _north_arrow(pdf, boxes[0])
    inner = _Frame(_bounds(area, 0.25), (boxes[1][0] + 4, boxes[1][1] + 4, w - 8, h - 12))
    pdf.set_fill_color(248, 220, 220)
    pdf.set_draw_color(*AREA)
    pdf.set_line_width(0.5)
    for ring in area:
        pdf.polygon([inner.at(*p) for p in ring], style="DF")
    pdf.set_text_color(*INK)
    pdf.use(7, bold=True)
    for number, *_, e, n in facts.corners:
        px, py = inner.at(e, n)
        pdf.text(px + 0.8, py - 0.8, str(number))
    pdf.set_line_width(0.2)
    _scale_bar(pdf, inner, boxes[1])
    _north_arrow(pdf, boxes[1])
    pdf.set_draw_color(*INK)
    pdf.set_y(top + 5 + h + 3)


def _centre(rings) -> tuple[float, float]:
    xs = [x for r in rings for x, _ in r]
    ys = [y for r in rings for _, y in r]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _scale_bar(pdf: _Sheet, frame: _Frame, box) -> None:
    """A bar of a round length in the box's lower left corner, in four alternating parts."""
    x, y, w, h = box
    metres = scale_bar_metres(w / frame.k)
    length = metres * frame.k
    left, base = x + 4, y + h - 5
    pdf.set_draw_color(*INK)
    for i in range(4):
        pdf.set_fill_color(*((20, 20, 20) if i % 2 == 0 else (255, 255, 255)))
        pdf.rect(left + i * length / 4, base, length / 4, 1.5, style="DF")
    pdf.use(7)
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    pdf.text(left - 0.8, base - 1, "0")
    pdf.text(left + length - pdf.get_string_width(label) / 2, base - 1, pdf.say(label))


def _north_arrow(pdf: _Sheet, box) -> None:
    """An arrow pointing up (grid north) in the box's upper right corner."""
    x, y, w, _ = box
    tip_x, tip_y = x + w - 7, y + 4
    pdf.set_fill_color(*INK)
    pdf.set_draw_color(*INK)
    pdf.polygon(
        [(tip_x, tip_y), (tip_x - 2.5, tip_y + 8), (tip_x, tip_y + 6), (tip_x + 2.5, tip_y + 8)],
        style="DF",
    )
    pdf.use(8, bold=True)
    pdf.text(tip_x - 1.3, tip_y + 12, "N")


def _corners(pdf: _Sheet, facts: CertificateFacts) -> None:
    """The corners in the UTM zone the area lies in and in degrees (WGS 84)."""
    pdf.line_of(f"Corners: {utm_label(facts.utm)} and WGS 84 degrees", size=10, bold=True)
    headings = ("No.", "Easting (m)", "Northing (m)", "Latitude", "Longitude", "Lat, lon (decimal)")
    widths = (10, 27, 29, 35, 35, 44)
    pdf.use(8, bold=True)
    for text_, width in zip(headings, widths, strict=True):
        pdf.cell(width, 5, text_, border="B")
    pdf.ln()
    pdf.use(8)
    for number, lon, lat, e, n in facts.corners:
        cells = (
            str(number),
            f"{e:.1f}",
            f"{n:.1f}",
            dms(lat, "N", "S"),
            dms(lon, "E", "W"),
            f"{lat:.6f}, {lon:.6f}",
        )
        for text_, width in zip(cells, widths, strict=True):
            pdf.cell(width, 4.5, pdf.say(text_))
        pdf.ln()
    pdf.ln(2)


def _signatures(pdf: _Sheet, facts: CertificateFacts) -> None:
    """Signature blocks and the QR code of the public record, kept together on one page."""
    if pdf.get_y() > 297 - 15 - 52:
        pdf.add_page()
    top = pdf.get_y() + 2
    pdf.set_draw_color(*INK)
    pdf.use(9, bold=True)
    for x, title in ((15, f"For the {facts.authority}"), (80, "Holder")):
        pdf.set_xy(x, top)
        pdf.multi_cell(60, 4.5, pdf.say(title), align="L")
        pdf.line(x, top + 24, x + 58, top + 24)
        pdf.use(8)
        pdf.text(x, top + 28, "Signature, name and date")
        pdf.text(x, top + 33, "Official stamp" if x == 15 else "")
        pdf.use(9, bold=True)
    image = qrcode.make(facts.verify_url, image_factory=PilImage, box_size=8, border=4)
    pdf.image(image.get_image(), x=152, y=top, w=40, h=40)
    pdf.use(8)
    pdf.set_xy(15, top + 38)
    pdf.multi_cell(
        128,
        4,
        pdf.say(
            "Check this certificate against the register: scan the code, or open "
            f"{facts.verify_url} (check code {facts.digest}). If the register says it does "
            "not match, the licence has changed since this paper was printed."
        ),
        align="L",
    )
    pdf.set_xy(152, top + 41)
    pdf.use(8, bold=True)
    pdf.cell(40, 4, pdf.say(f"Check code {facts.digest}"), align="C")
