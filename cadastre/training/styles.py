"""QGIS layer styles (QML, with an SLD twin) for the offline pack's layers.

Symbol properties are written as ``<prop k= v=>`` elements, which every QGIS 3 release
reads (newer releases read them as well as their ``Option`` maps).
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from cadastre.profile import Profile

_HEADER = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
_GEOMETRY_TYPE = {"point": 0, "line": 1, "fill": 2}


def licence_colours(profile: Profile) -> dict[str, tuple[str, str]]:
    """Licence type -> (label, "r,g,b"): the profile's palette, the web map's colours."""
    return {
        name: (spec.label, ",".join(str(int(spec.colour[i : i + 2], 16)) for i in (1, 3, 5)))
        for name, spec in profile.licence_types.items()
    }


def _props(props: dict[str, str]) -> str:
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())


def _fill_symbol(name: str, fill: str, outline: str, style="solid", outline_style="solid") -> str:
    return (
        f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        '<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "color": fill,
                "style": style,
                "outline_color": outline,
                "outline_style": outline_style,
                "outline_width": "0.4",
                "outline_width_unit": "MM",
                "joinstyle": "bevel",
            }
        )
        + "</layer></symbol>"
    )


def _line_symbol(name: str, colour: str, width: str, style="solid") -> str:
    return (
        f'<symbol type="line" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        '<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
        + _props(
            {
                "line_color": colour,
                "line_style": style,
                "line_width": width,
                "line_width_unit": "MM",
                "capstyle": "round",
                "joinstyle": "round",
            }
        )
        + "</layer></symbol>"
    )


def _qgis(renderer: str, geometry: str, labels: str = "") -> str:
    return (
        _HEADER
        + '<qgis version="3.22.0" styleCategories="Symbology|Labeling">'
        + renderer
        + labels
        + f"<layerGeometryType>{_GEOMETRY_TYPE[geometry]}</layerGeometryType></qgis>\n"
    )


def _code_labels(field: str) -> str:
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName="{field}" fontSize="8" fontSizeUnit="Point"'
        ' textColor="40,40,40,255"'
        ' isExpression="0" fontFamily="Sans Serif" namedStyle="Regular" fontWeight="50"'
        ' fontItalic="0" multilineHeight="1" textOpacity="1"/>'
        '<text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM"'
        ' bufferColor="255,255,255,255" bufferOpacity="0.8"/>'
        '<placement placement="1" dist="0" priority="5"/>'
        '<rendering scaleVisibility="1" scaleMin="1" scaleMax="100000" obstacle="1"/>'
        "</settings></labeling>"
    )


def licences_qml(profile: Profile) -> str:
    """Licences coloured by type (fill alpha 110 of 255), labelled with their code at large
    scales."""
    cats, syms = [], []
    for i, (value, (label, rgb)) in enumerate(licence_colours(profile).items()):
        cats.append(
            f'<category render="true" symbol="{i}" value="{value}" label={quoteattr(label)}/>'
        )
        syms.append(_fill_symbol(str(i), f"{rgb},110", f"{rgb},255"))
    renderer = (
        '<renderer-v2 type="categorizedSymbol" attr="licence_type" symbollevels="0"'
        ' enableorderby="0" forceraster="0">'
        f"<categories>{''.join(cats)}</categories><symbols>{''.join(syms)}</symbols>"
        f"<source-symbol>{_fill_symbol('0', '150,150,150,110', '90,90,90,255')}</source-symbol>"
        "</renderer-v2>"
    )
    return _qgis(renderer, "fill", _code_labels("code"))


def single_qml(symbol: str, geometry: str) -> str:
    """A single-symbol renderer around one symbol."""
    renderer = (
        '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
        f"<symbols>{symbol}</symbols></renderer-v2>"
    )
    return _qgis(renderer, geometry)


def layer_qml(layer: str, profile: Profile) -> str:
    """The QML style of one pack layer."""
    if layer == "licences":
        return licences_qml(profile)
    if layer == "borders":
        return single_qml(_line_symbol("0", "200,0,0,255", "0.8", "dash"), "line")
    if layer == "countries":
        return single_qml(_fill_symbol("0", "245,243,236,255", "120,120,120,255"), "fill")
    if layer == "border_zones":
        return single_qml(
            _fill_symbol("0", "220,50,32,45", "220,50,32,160", outline_style="dot"), "fill"
        )
    return single_qml(  # task areas
        _fill_symbol("0", "0,0,0,0", "120,0,160,255", style="no", outline_style="dash"), "fill"
    )


def _sld_rule(name: str, symbolizer: str, filter_value: str | None = None) -> str:
    flt = (
        "<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>licence_type</ogc:PropertyName>"
        f"<ogc:Literal>{filter_value}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
        if filter_value
        else ""
    )
    return f"<se:Rule><se:Name>{name}</se:Name>{flt}{symbolizer}</se:Rule>"


def _sld_polygon(rgb: str, opacity: str) -> str:
    hexcol = "#" + "".join(f"{int(c):02x}" for c in rgb.split(","))
    return (
        "<se:PolygonSymbolizer><se:Fill>"
        f'<se:SvgParameter name="fill">{hexcol}</se:SvgParameter>'
        f'<se:SvgParameter name="fill-opacity">{opacity}</se:SvgParameter></se:Fill>'
        f'<se:Stroke><se:SvgParameter name="stroke">{hexcol}</se:SvgParameter></se:Stroke>'
        "</se:PolygonSymbolizer>"
    )


def layer_sld(layer: str, profile: Profile) -> str:
    """An SLD 1.1 twin of the layer's style, for tools other than QGIS."""
    if layer == "licences":
        rules = "".join(
            _sld_rule(label, _sld_polygon(rgb, "0.43"), value)
            for value, (label, rgb) in licence_colours(profile).items()
        )
    elif layer == "borders":
        rules = _sld_rule(
            "Land border",
            '<se:LineSymbolizer><se:Stroke><se:SvgParameter name="stroke">#c80000'
            '</se:SvgParameter><se:SvgParameter name="stroke-width">2</se:SvgParameter>'
            "</se:Stroke></se:LineSymbolizer>",
        )
    elif layer == "countries":
        rules = _sld_rule("Country", _sld_polygon("245,243,236", "1"))
    else:
        rules = _sld_rule(layer, _sld_polygon("220,50,32", "0.18"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld"'
        ' xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">'
        f"<NamedLayer><se:Name>{layer}</se:Name><UserStyle><se:Name>{layer}</se:Name>"
        f"<se:FeatureTypeStyle>{rules}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
        "</StyledLayerDescriptor>"
    )
