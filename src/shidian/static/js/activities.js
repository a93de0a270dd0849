// Attendance page: the big − / ＋ buttons step the attendee count.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".act-step");
  if (!button) return;
  const input = button.closest("form").querySelector(".act-count");
  const next = (parseInt(input.value, 10) || 0) + parseInt(button.dataset.step, 10);
  input.value = Math.min(500, Math.max(1, next));
});
