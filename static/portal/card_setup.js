// The payment page's card form. Stripe.js draws the card field and confirms the
// SetupIntent with Stripe itself; the card's number never reaches Bouquet. Only the
// confirmed SetupIntent's id is posted to us, and the server checks it with Stripe.
(function () {
  "use strict";
  const form = document.getElementById("card-setup-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  const stripe = Stripe(form.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const button = form.querySelector("button[type=submit]");
  const errors = document.getElementById("card-errors");

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    errors.textContent = "";
    const result = await stripe.confirmCardSetup(form.dataset.clientSecret, { payment_method: { card: card } });
    if (result.error || !result.setupIntent) {
      errors.textContent = (result.error && result.error.message) || "Stripe could not save the card.";
      button.disabled = false;
      return;
    }
    form.elements.setup_intent.value = result.setupIntent.id;
    form.submit();
  });
})();
