/* New application: show the chosen inputs, draw on the map, and run the check. */
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) { return; }

  // Show only the inputs that belong to the chosen holder mode and area method.
  function refresh() {
    form.querySelectorAll("[data-show-when]").forEach(function (block) {
      var parts = block.dataset.showWhen.split("=");
      var chosen = form.querySelector("input[name='" + parts[0] + "']:checked");
      block.hidden = !chosen || chosen.value !== parts[1];
    });
    if (map) { setTimeout(function () { map.resize(); }, 0); }
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "holder_mode" || e.target.name === "area_method") { refresh(); }
  });

  var el = document.getElementById("new-map");
  var map = null, draw = null;
  var drawnField = form.querySelector("input[name='drawn_geometry']");
  var uploadedField = form.querySelector("input[name='uploaded_geometry']");
  var empty = { type: "FeatureCollection", features: [] };

  // mapbox-gl-draw's own theme draws the active outline with a data-driven line-dasharray,
  // which MapLibre refuses (a console error on every load); the same look, one layer per state.
  var ACTIVE = ["==", "active", "true"], INACTIVE = ["!=", "active", "true"];
  var LINES = ["any", ["==", "$type", "LineString"], ["==", "$type", "Polygon"]];
  var ROUND = { "line-cap": "round", "line-join": "round" };
  var DRAW_STYLES = [
    { id: "gl-draw-polygon-fill", type: "fill", filter: ["all", ["==", "$type", "Polygon"]],
      paint: { "fill-color": ["case", ["==", ["get", "active"], "true"], "#fbb03b", "#3bb2d0"],
               "fill-outline-color": "#3bb2d0", "fill-opacity": 0.1 } },
    { id: "gl-draw-lines-inactive", type: "line", filter: ["all", LINES, INACTIVE], layout: ROUND,
      paint: { "line-color": "#3bb2d0", "line-width": 2 } },
    { id: "gl-draw-lines-active", type: "line", filter: ["all", LINES, ACTIVE], layout: ROUND,
      paint: { "line-color": "#fbb03b", "line-width": 2, "line-dasharray": [0.2, 2] } },
    { id: "gl-draw-point-outer", type: "circle",
      filter: ["all", ["==", "$type", "Point"], ["==", "meta", "feature"]],
      paint: { "circle-radius": 5, "circle-color": "#fff" } },
    { id: "gl-draw-point-inner", type: "circle",
      filter: ["all", ["==", "$type", "Point"], ["==", "meta", "feature"]],
      paint: { "circle-radius": 3, "circle-color": "#3bb2d0" } },
    { id: "gl-draw-vertex-outer", type: "circle",
      filter: ["all", ["==", "$type", "Point"], ["==", "meta", "vertex"], ["!=", "mode", "simple_select"]],
      paint: { "circle-radius": 5, "circle-color": "#fff" } },
    { id: "gl-draw-vertex-inner", type: "circle",
      filter: ["all", ["==", "$type", "Point"], ["==", "meta", "vertex"], ["!=", "mode", "simple_select"]],
      paint: { "circle-radius": 3, "circle-color": "#fbb03b" } },
    { id: "gl-draw-midpoint", type: "circle", filter: ["all", ["==", "meta", "midpoint"]],
      paint: { "circle-radius": 3, "circle-color": "#fbb03b" } }
  ];

  function setData(id, data) { var s = map && map.getSource(id); if (s) { s.setData(data || empty); } }

  if (el && window.maplibregl) {
    map = new maplibregl.Map({ container: el, style: Cadastre.style({}), bounds: Cadastre.SL_BOUNDS,
      fitBoundsOptions: { padding: 10 }, attributionControl: false });
    window.newLicenceMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));
    if (window.MapboxDraw) {
      MapboxDraw.constants.classes.CANVAS = "maplibregl-canvas";
      MapboxDraw.constants.classes.CONTROL_BASE = "maplibregl-ctrl";
      MapboxDraw.constants.classes.CONTROL_PREFIX = "maplibregl-ctrl-";
      MapboxDraw.constants.classes.CONTROL_GROUP = "maplibregl-ctrl-group";
      MapboxDraw.constants.classes.ATTRIBUTION = "maplibregl-ctrl-attrib";
      draw = new MapboxDraw({ displayControlsDefault: false, controls: { polygon: true, trash: true },
        styles: DRAW_STYLES });
      map.addControl(draw, "top-right");
      var save = function () {
        var polys = draw.getAll().features.filter(function (f) { return f.geometry.type === "Polygon"; });
        if (!polys.length) { drawnField.value = ""; return; }
        drawnField.value = JSON.stringify(polys.length === 1 ? polys[0].geometry :
          { type: "MultiPolygon", coordinates: polys.map(function (f) { return f.geometry.coordinates; }) });
        var chosen = form.querySelector("input[name='area_method'][value='draw']");
        if (chosen && !chosen.checked) { chosen.checked = true; refresh(); }
      };
      map.on("draw.create", save); map.on("draw.update", save); map.on("draw.delete", save);
    }
    map.on("load", function () {
      map.addSource("area", { type: "geojson", data: empty });
      map.addSource("overlap", { type: "geojson", data: empty });
      map.addSource("free", { type: "geojson", data: empty });
      map.addLayer({ id: "free-fill", type: "fill", source: "free", paint: { "fill-color": "#1a9850", "fill-opacity": 0.35 } });
      map.addLayer({ id: "area-line", type: "line", source: "area", paint: { "line-color": "#0b3d91", "line-width": 3 } });
      map.addLayer({ id: "overlap-fill", type: "fill", source: "overlap", paint: { "fill-color": "#d7191c", "fill-opacity": 0.6 } });
      map.addLayer({ id: "overlap-line", type: "line", source: "overlap", paint: { "line-color": "#8b0000", "line-width": 2 } });
      if (drawnField && drawnField.value && draw) {
        try { draw.add(JSON.parse(drawnField.value)); } catch (e) { /* redrawn by the officer */ }
      }
      // the area sent (drawn, typed or uploaded) stays on the map after a refusal, with the
      // overlap and the free part, and the map shows it rather than the whole country
      var sent = null;
      try { sent = el.dataset.area ? JSON.parse(el.dataset.area) : null; } catch (e) { sent = null; }
      var kept = uploadedField && uploadedField.value;
      if (!sent && kept) { try { sent = { area: JSON.parse(kept) }; } catch (e) { sent = null; } }
      if (sent && sent.area) {
        setData("area", sent.area); setData("overlap", sent.overlaps); setData("free", sent.free);
        map.fitBounds(Cadastre.bboxOf(sent.area), { padding: 60, maxZoom: 15, duration: 0 });
      }
    });
  }
  refresh();

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var panel = document.getElementById("check-result");
  var body = document.getElementById("check-body");
  document.getElementById("check-button").addEventListener("click", function () {
    var button = this;
    button.disabled = true; button.textContent = "Checking…";
    panel.hidden = false; body.innerHTML = "<p class='muted'>Checking the area against the register…</p>";
    fetch(form.dataset.checkUrl, { method: "POST", body: new FormData(form),
      headers: { "X-CSRFToken": Cadastre.csrf(), Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (d) { return { status: r.status, data: d }; }); })
      .then(function (res) { show(res.data); })
      .catch(function () { body.innerHTML = "<p class='field-error'>The check could not be run; try again.</p>"; })
      .finally(function () { button.disabled = false; button.textContent = "Check the area"; });
  });

  function show(d) {
    if (!d.ok) {
      body.innerHTML = "<div class='check-bad'><p><strong>The area cannot be read:</strong></p><ul>" +
        (d.errors || [{ message: d.detail || "unknown problem" }]).map(function (e) {
          return "<li>" + esc(e.message) + "</li>"; }).join("") + "</ul></div>";
      setData("area"); setData("overlap"); setData("free");
      return;
    }
    if (uploadedField && form.querySelector("input[name='area_method'][value='upload']:checked")) {
      uploadedField.value = JSON.stringify(d.geometry);
    }
    var html = "<dl class='attrs check-attrs'>";
    html += "<div><dt>Area</dt><dd>" + esc(d.area_text) + "</dd></div>";
    if (d.max_area_text) {
      html += "<div><dt>Limit</dt><dd class='" + (d.within_limit ? "ok" : "bad") + "'>" +
        (d.within_limit ? "Within the limit of " + esc(d.max_area_text) : esc(d.limit_message)) + "</dd></div>";
    } else {
      html += "<div><dt>Limit</dt><dd class='muted'>Choose a licence type to check the area limit.</dd></div>";
    }
    if (d.corners_read) {
      var cr = d.corners_read;
      html += "<div><dt>Corners</dt><dd id='check-corners'><p id='check-notation'>Read as <strong>" + esc(cr.words) +
        "</strong>" + (cr.assumed ? " (worked out from the numbers; choose the notation if this is wrong)" : " (as you chose)") +
        (cr.notation === "dd" || cr.notation === "dms" ? ", latitude first unless N/S/E/W letters say otherwise" : "") +
        ".</p><table class='corner-echo'><thead><tr><th>Corner</th><th>As typed</th><th>As read</th><th>Longitude</th><th>Latitude</th></tr></thead><tbody>" +
        cr.corners.map(function (c) {
          return "<tr><td>" + esc(c.label) + "</td><td><code>" + esc(c.input) + "</code></td><td>" + esc(c.parsed) +
            "</td><td>" + esc(c.lon.toFixed(6)) + "</td><td>" + esc(c.lat.toFixed(6)) + "</td></tr>";
        }).join("") + "</tbody></table></dd></div>";
    }
    var refusals = (d.errors || []).filter(function (e) { return e.message !== d.limit_message; });
    if (refusals.length) {
      html += "<div><dt>Rules</dt><dd class='bad' id='check-rules'>Registering would be refused:<ul>" +
        refusals.map(function (e) { return "<li>" + esc(e.message) + "</li>"; }).join("") + "</ul></dd></div>";
    }
    if (d.conflict_note) {
      html += "<div><dt>Conflicts</dt><dd>" + esc(d.conflict_note) + "</dd></div>";
    } else if (d.conflicts && d.conflicts.length) {
      html += "<div><dt>Conflicts</dt><dd class='bad' id='check-conflicts'><strong>" + d.conflicts.length +
        " conflicting licence" + (d.conflicts.length > 1 ? "s" : "") + "</strong> (overlap in red):<ul>" +
        d.conflicts.map(function (c) {
          return "<li><a href='" + Cadastre.root + "/licences/" + c.id + "'>" + esc(c.code) + "</a> (" + esc(c.status) + "), overlap " + esc(c.overlap_text) + "</li>";
        }).join("") + "</ul></dd></div>";
      if (d.free) {
        html += "<div><dt>Free part</dt><dd>" + (d.free.geometry ? esc(d.free.area_text) +
          " is still free (green on the map); you could apply for that instead." : "None: the whole area is taken.") + "</dd></div>";
      }
    } else {
      html += "<div><dt>Conflicts</dt><dd class='ok' id='check-conflicts'>None: the ground is free.</dd></div>";
    }
    if (d.border) {
      html += "<div><dt>Border</dt><dd><span class='tier tier-" + esc(d.border.tier) + "'>" + esc(d.border.tier) + "</span> " +
        esc(d.border.distance_km.toFixed(1)) + " km" + (d.border.uncertainty_km ? " (± " + esc(d.border.uncertainty_km) + " km, " + esc(d.border.boundary_source) + ")" : "") +
        "<ul class='reasons'>" + d.border.reasons.map(function (r) { return "<li>" + esc(r) + "</li>"; }).join("") + "</ul></dd></div>";
    }
    html += "</dl>";
    body.innerHTML = html;
    if (map) {
      setData("area", d.geometry); setData("overlap", d.overlaps);
      setData("free", d.free && d.free.geometry ? d.free.geometry : null);
      map.fitBounds(Cadastre.bboxOf(d.geometry), { padding: 60, maxZoom: 15 });
    }
  }
})();
