// "Use my location" on the find-a-drive page (decision 0057): optional. The position is
// asked of the browser only when the person presses the button, and goes no further than
// this server (it fills the latitude and longitude fields of the form, which is then sent).
(function () {
  var button = document.querySelector("[data-geolocate]");
  if (!button || !("geolocation" in navigator)) return;
  // The wrapper is hidden, not the button: the house style gives buttons a display.
  button.closest("[data-geolocate-wrap]").hidden = false;
  button.addEventListener("click", function () {
    var form = button.form;
    navigator.geolocation.getCurrentPosition(function (where) {
      form.elements.latitude.value = where.coords.latitude.toFixed(4);
      form.elements.longitude.value = where.coords.longitude.toFixed(4);
      form.submit();
    }, function () {
      var note = document.getElementById("geo-refused");
      if (note) note.hidden = false;
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
