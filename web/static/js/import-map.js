/* The import report's map: each row's area over the register, coloured by outcome. */
(function () {
  "use strict";
  var el = document.getElementById("import-map");
  if (!el || !window.maplibregl) { return; }
  var data = JSON.parse(el.dataset.geojson);
  var colours = ["match", ["get", "outcome"],
    "imported", "#1b7837", "imported with warnings", "#e6ab02", "flagged", "#e66101",
    "updated", "#2b8cbe",
    "unchanged", "#7a7a7a", "refused", "#c51b1b", "#555"];
  var map = new maplibregl.Map({
    container: el, style: Cadastre.style({}), bounds: Cadastre.bboxOf(data),
    fitBoundsOptions: { padding: 30, maxZoom: 14 }, attributionControl: false
  });
  window.importMap = map;  /* for the browser tests, like window.cadastreMap */
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.on("load", function () {
    map.addSource("rows", { type: "geojson", data: data });
    map.addLayer({ id: "rows-fill", type: "fill", source: "rows", paint: { "fill-color": colours, "fill-opacity": 0.35 } });
    map.addLayer({ id: "rows-line", type: "line", source: "rows", paint: { "line-color": colours, "line-width": 2 } });
    map.on("click", "rows-fill", function (e) {
      var p = e.features[0].properties;
      new maplibregl.Popup().setLngLat(e.lngLat).setText(p.row + " · " + (p.code || "") + " · " + p.outcome).addTo(map);
    });
  });
})();
