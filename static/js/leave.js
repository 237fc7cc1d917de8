// Presensi: fill the hidden latitude/longitude/accuracy fields from the device's
// location when a check-in/out form is submitted. Without JavaScript the fields stay
// empty and the server explains that the location is required.
(function () {
  "use strict";
  function say(text) {
    var status = document.querySelector(".js-geo-status");
    if (status) { status.textContent = text; }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-geo")) { return; }
    if (form.elements.latitude.value) { return; }
    event.preventDefault();
    if (!navigator.geolocation) {
      say("Peramban ini tidak dapat memberikan lokasi; presensi memerlukan lokasi.");
      return;
    }
    say("Mengambil lokasi…");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(position.coords.accuracy);
        form.submit();
      },
      function () {
        say("Lokasi tidak dapat diambil. Izinkan akses lokasi untuk situs ini, lalu coba lagi.");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
    );
  });
})();
