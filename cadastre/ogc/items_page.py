"""An items page, or one feature, as GeoJSON: ETag, links and body, from one read.

The Flask views and the items lane (``cadastre.ogc.lane``) both build their answers with
these, so a page or a feature is the same whichever answers it.
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


#: Parameters a single feature takes (anything else is a 400 naming it).
FEATURE_PARAMETERS = frozenset({"crs", "f", "properties"})


def feature_links(coll: Collection, key: int, links: RequestLinks) -> list[dict]:
    """self, alternate and the collection of one feature."""
    path = f"/collections/{coll.id}/items/{key}"
    return links.self_links(path, GEOJSON) + [
        link("collection", links.href(f"/collections/{coll.id}"), JSON, coll.title),
    ]


def feature_etag(coll: Collection, key: int, links: RequestLinks, fmt: str, text: str) -> str:
    """A strong ETag: the feature's id, the query and the feature as PostGIS wrote it."""
    return strong_etag("item", coll.id, key, links.query_string(), fmt, text)


def feature_document(text: str, links: list[dict]) -> str:
    """The feature (JSON text from PostGIS) with its links."""
    return text[:-1] + ',"links":' + json.dumps(links) + "}"
