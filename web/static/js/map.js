/* The register map: tiles, toggles, click popups and search by code or holder. */
(function () {
  "use strict";
  var el = document.getElementById("register-map");
  if (!el || !window.maplibregl) { return; }
  var map = new maplibregl.Map({
    container: el, style: Cadastre.style({ basemap: el.dataset.basemap || "" }),
    bounds: Cadastre.SL_BOUNDS, fitBoundsOptions: { padding: 10 }, attributionControl: false
  });
  window.cadastreMap = map;
  map.addControl(new maplibregl.NavigationControl());
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));

  document.querySelectorAll(".layers input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.dataset.layers.split(",").forEach(function (id) {
        if (map.getLayer(id)) { map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none"); }
      });
    });
  });

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  map.on("click", "licences-fill", function (e) {
    var f = e.features[0]; var p = f.properties;
    var id = p.id != null ? p.id : f.id;
    var html = "<div class='popup'><strong>" + esc(p.code) + "</strong><br>" +
      esc(String(p.licence_type || "").replace("_", "-")) + " · " + esc(p.status) +
      (p.holder_name ? "<br>" + esc(p.holder_name) : "") +
      (p.area_ha != null ? "<br>" + esc(Number(p.area_ha).toLocaleString("en", { maximumFractionDigits: 1 })) + " ha" : "") +
      (p.border_tier && p.border_tier !== "none" ? "<br>Border tier: " + esc(p.border_tier) +
        (p.border_distance_km != null ? " (" + esc(Number(p.border_distance_km).toFixed(1)) + " km)" : "") : "") +
      (id != null ? "<br><a href='" + Cadastre.root + "/licences/" + encodeURIComponent(id) + "'>Open licence page</a>" : "") + "</div>";
    new maplibregl.Popup({ maxWidth: "280px" }).setLngLat(e.lngLat).setHTML(html).addTo(map);
  });
  map.on("mouseenter", "licences-fill", function () { map.getCanvas().style.cursor = "pointer"; });
  map.on("mouseleave", "licences-fill", function () { map.getCanvas().style.cursor = ""; });

  var form = document.getElementById("map-search");
  var list = document.getElementById("map-results");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("map-q").value.trim();
    list.innerHTML = "";
    if (q.length < 2) { list.innerHTML = "<li class='muted'>Type at least two characters.</li>"; return; }
    fetch(Cadastre.root + "/map/search?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.results.length) { list.innerHTML = "<li class='muted'>Nothing found.</li>"; return; }
        data.results.forEach(function (r) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button"; b.className = "result";
          b.innerHTML = "<strong>" + esc(r.code) + "</strong> " + esc(r.holder) + " <span class='muted'>" + esc(r.status) + "</span>";
          b.addEventListener("click", function () {
            map.fitBounds([[r.bbox[0], r.bbox[1]], [r.bbox[2], r.bbox[3]]], { padding: 80, maxZoom: 14 });
            new maplibregl.Popup().setLngLat([(r.bbox[0] + r.bbox[2]) / 2, (r.bbox[1] + r.bbox[3]) / 2])
              .setHTML("<div class='popup'><strong>" + esc(r.code) + "</strong><br>" + esc(r.holder) +
                "<br><a href='" + Cadastre.root + "/licences/" + r.id + "'>Open licence page</a></div>").addTo(map);
          });
          li.appendChild(b); list.appendChild(li);
        });
      })
      .catch(function () { list.innerHTML = "<li class='field-error'>The search failed; try again.</li>"; });
  });
})();
