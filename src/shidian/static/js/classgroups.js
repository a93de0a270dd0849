// Class tool: the print button on the seating sheet (data-confirm is handled by app.js).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
