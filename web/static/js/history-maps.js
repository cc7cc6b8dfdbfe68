/* A licence's history: for each event that changed the ground, a small map of the area
   before (red outline) and after (blue). Data come from the element's data attributes
   (the CSP allows no inline script). */
(function () {
  "use strict";
  if (!window.maplibregl || !window.Cadastre) { return; }
  var maps = document.querySelectorAll(".history-map[data-before][data-after]");
  Array.prototype.forEach.call(maps, function (el) {
    var before = JSON.parse(el.dataset.before);
    var after = JSON.parse(el.dataset.after);
    var both = { type: "GeometryCollection", coordinates: [before.coordinates, after.coordinates] };
    var map = new maplibregl.Map({
      container: el, style: Cadastre.style({ noLicences: true }), bounds: Cadastre.bboxOf(both),
      fitBoundsOptions: { padding: 24, maxZoom: 16 }, attributionControl: false,
      interactive: false
    });
    map.on("load", function () {
      map.addSource("before", { type: "geojson", data: before });
      map.addSource("after", { type: "geojson", data: after });
      map.addLayer({ id: "before-fill", type: "fill", source: "before",
        paint: { "fill-color": "#b42318", "fill-opacity": 0.12 } });
      map.addLayer({ id: "after-fill", type: "fill", source: "after",
        paint: { "fill-color": "#0b5fad", "fill-opacity": 0.35 } });
      map.addLayer({ id: "before-line", type: "line", source: "before",
        paint: { "line-color": "#b42318", "line-width": 2 } });
      map.addLayer({ id: "after-line", type: "line", source: "after",
        paint: { "line-color": "#0b3d91", "line-width": 2 } });
      el.dataset.drawn = "yes";
    });
  });
})();
