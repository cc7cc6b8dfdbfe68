/* The licence page's small map: this licence's area over the register's tiles. */
(function () {
  "use strict";
  // The print sheet's button (a handler here, not inline: the CSP allows no inline script).
  var printButton = document.querySelector("[data-print-page]");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  var el = document.getElementById("licence-map");
  if (!el || !window.maplibregl) { return; }
  var geojson = JSON.parse(el.dataset.geojson);
  var map = new maplibregl.Map({
    container: el, style: Cadastre.style({}), bounds: Cadastre.bboxOf(geojson),
    fitBoundsOptions: { padding: 40, maxZoom: 15 }, attributionControl: false,
    preserveDrawingBuffer: !!el.dataset.print
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }));
  map.on("load", function () {
    map.addSource("this", { type: "geojson", data: geojson });
    map.addLayer({ id: "this-fill", type: "fill", source: "this", paint: { "fill-color": "#0b5fad", "fill-opacity": 0.25 } });
    map.addLayer({ id: "this-line", type: "line", source: "this", paint: { "line-color": "#0b3d91", "line-width": 3 } });
  });
})();
