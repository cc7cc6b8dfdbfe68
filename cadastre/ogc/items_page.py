"""An items page as GeoJSON: its ETag, links and body, from a checked query and one read.

The Flask view and the items lane (``cadastre.ogc.lane``) both build a page with these, so
a page is the same whichever answers it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cadastre.ogc.collections import Collection
from cadastre.ogc.http import GEOJSON, JSON, RequestLinks, link, strong_etag
from cadastre.ogc.params import ItemQuery
from cadastre.ogc.query import Fingerprint


def page_etag(coll: Collection, links: RequestLinks, fmt: str, fp: Fingerprint, q: ItemQuery):
    """A strong ETag: the query, the format and the data fingerprint of what matches."""
    return strong_etag("items", coll.id, links.query_string(), fmt, fp.token, q.limit)


def page_links(
    coll: Collection, q: ItemQuery, matched: int, returned: int, links: RequestLinks
) -> list[dict]:
    """self, alternate, next and prev (plain paths, as GDAL and OWSLib follow them), collection."""
    base = f"/collections/{coll.id}/items"
    out = links.self_links(base, GEOJSON)
    if q.offset + returned < matched:
        qs = links.query_string(offset=q.offset + q.limit, limit=q.limit)
        out.append(link("next", links.href(base, qs), GEOJSON, "Next page"))
    if q.offset > 0:
        qs = links.query_string(offset=max(0, q.offset - q.limit), limit=q.limit)
        out.append(link("prev", links.href(base, qs), GEOJSON, "Previous page"))
    out.append(link("collection", links.href(f"/collections/{coll.id}"), JSON, coll.title))
    return out


def feature_collection(features: str, matched: int, returned: int, links: list[dict]) -> str:
    """The GeoJSON FeatureCollection around the page's ``features`` (JSON text from PostGIS)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '{"type":"FeatureCollection","features":' + features
        + f',"numberMatched":{matched},"numberReturned":{returned}'
        + f',"timeStamp":"{stamp}","links":' + json.dumps(links) + "}"
    )  # fmt: skip
