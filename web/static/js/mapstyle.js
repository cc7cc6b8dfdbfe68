/* Shared map style: our own vector tiles (no internet basemap), coloured by type, status, tier. */
(function () {
  "use strict";
  // The one palette (licence types and statuses), from the profile: every page carries it in
  // <meta name="cadastre-palette"> (cadastre/palette.py), the same colours /palette.css uses.
  var PALETTE = (function () {
    var meta = document.querySelector('meta[name="cadastre-palette"]');
    try { return JSON.parse(meta ? meta.content : "{}"); } catch (e) { return {}; }
  })();
  var TYPE_COLORS = PALETTE.types || {};
  var STATUS_COLORS = PALETTE.statuses || {};
  var TIER_COLORS = { high: "#c51b1b", elevated: "#f06d06", watch: "#d4b000" };
  var SL_BOUNDS = [[-13.40, 6.85], [-10.20, 10.05]];
  // Where this workspace is mounted ("" for the register, "/training" for practice): every
  // path the pages' scripts ask for starts here, so a trainee's map shows the training data.
  var ROOT = (document.querySelector('meta[name="cadastre-root"]') || {}).content || "";

  function tileJson(id) {
    // Each source reads its tile URL and zoom range from the server's TileJSON, so the
    // ranges are stated once (cadastre/ogc/collections.py); beyond maxzoom MapLibre overzooms.
    return window.location.origin + ROOT + "/collections/" + id + "/tiles/WebMercatorQuad/tilejson.json";
  }
  function match(prop, table, fallback) {
    var keys = Object.keys(table);
    if (!keys.length) { return fallback; }  // a match needs at least one label
    var expr = ["match", ["get", prop]];
    keys.forEach(function (k) { expr.push(k, table[k]); });
    expr.push(fallback);
    return expr;
  }

  function style(opts) {
    opts = opts || {};
    var sources = {
      countries: { type: "vector", url: tileJson("countries") },
      zones: { type: "vector", url: tileJson("border-zones") },
      borders: { type: "vector", url: tileJson("borders") },
      licences: { type: "vector", url: tileJson("licences") }
    };
    var layers = [{ id: "sea", type: "background", paint: { "background-color": "#cfe3ef" } }];
    if (opts.basemap) {
      sources.basemap = { type: "raster", tiles: [opts.basemap], tileSize: 256 };
      layers.push({ id: "basemap", type: "raster", source: "basemap", layout: { visibility: "none" } });
    }
    layers.push(
      { id: "countries-fill", type: "fill", source: "countries", "source-layer": "countries",
        paint: { "fill-color": ["match", ["get", "iso_a3"], "SLE", "#fbfaf5", "#e6e4dc"] } },
      { id: "countries-line", type: "line", source: "countries", "source-layer": "countries",
        paint: { "line-color": "#9a9788", "line-width": 0.6 } },
      { id: "zones-fill", type: "fill", source: "zones", "source-layer": "border-zones",
        paint: { "fill-color": match("tier", TIER_COLORS, "#999"), "fill-opacity": 0.12 } }
    );
    if (!opts.noLicences) {
      layers.push(
        { id: "licences-fill", type: "fill", source: "licences", "source-layer": "licences",
          paint: {
            "fill-color": ["case", ["==", ["get", "status"], "suspended"],
              STATUS_COLORS.suspended || "#888", match("licence_type", TYPE_COLORS, "#888")],
            "fill-opacity": ["match", ["get", "status"], "granted", 0.65, "application", 0.45, "approved", 0.45,
              "suspended", 0.5, 0.15]
          } },
        // a pending application: a dashed outline in the status colour, so it never reads as
        // sea or a pale smudge (line-dasharray stays constant: MapLibre refuses it data-driven)
        { id: "licences-pending-line", type: "line", source: "licences", "source-layer": "licences",
          filter: ["==", ["get", "status"], "application"],
          paint: { "line-color": STATUS_COLORS.application || "#444", "line-width": 2,
            "line-dasharray": [2, 1.5] } },
        { id: "licences-line", type: "line", source: "licences", "source-layer": "licences",
          paint: {
            "line-color": match("border_tier", TIER_COLORS, "#444"),
            "line-width": ["match", ["get", "border_tier"], "high", 2.5, "elevated", 2, "watch", 1.5, 0.6]
          } }
      );
    }
    layers.push({ id: "borders-line", type: "line", source: "borders", "source-layer": "borders",
      paint: { "line-color": "#7b2d8b", "line-width": 2, "line-dasharray": [3, 2] } });
    return { version: 8, sources: sources, layers: layers };
  }

  function bboxOf(geojson) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    (function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else { c.forEach(walk); }
    })(geojson.type === "FeatureCollection"
        ? geojson.features.map(function (f) { return f.geometry.coordinates; })
        : geojson.type === "Feature" ? geojson.geometry.coordinates : geojson.coordinates);
    return [[b[0], b[1]], [b[2], b[3]]];
  }

  window.Cadastre = { style: style, TYPE_COLORS: TYPE_COLORS, STATUS_COLORS: STATUS_COLORS,
    TIER_COLORS: TIER_COLORS,
    SL_BOUNDS: SL_BOUNDS, bboxOf: bboxOf, root: ROOT,
    csrf: function () { var m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ""; } };
})();
