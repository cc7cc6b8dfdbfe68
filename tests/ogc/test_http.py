"""Query strings of self/alternate/paging links: the same encoding as urlencode of the args."""

from urllib.parse import urlencode

import pytest

from cadastre.ogc.http import query_string

QUERIES = [
    "",
    "f=html",
    "limit=10&bbox=-11.2,7.8,-11.1,7.9&f=json&offset=20",
    "status=granted&status=expired&name=Sewa+Alluvial&x=%C3%A9t%C3%A9%2F%26&limit=5",
    "filter=status%3D%27granted%27+AND+area_ha+%3E+5&filter-lang=cql2-text&f=html&f=json",
]


def _expected(args, drop, replace):
    items = [(k, v) for k, v in args.items(multi=True) if k not in drop and k not in replace]
    items += [(k, str(v)) for k, v in replace.items() if v is not None]
    return urlencode(items)


@pytest.mark.parametrize("qs", QUERIES)
def test_every_variant_encodes_like_urlencode(app, qs):
    variants = [((("f",)), {}), (("f",), {"f": "html"}), (("f",), {"offset": 30, "limit": 10}),
                ((), {}), (("f", "limit"), {"offset": None, "limit": 7})]
    with app.test_request_context("/collections/licences/items?" + qs):
        from flask import request

        for drop, replace in variants * 2:  # twice: the per-request memo gives the same
            assert query_string(drop, **replace) == _expected(request.args, drop, replace)
