// Behaviour of the sample shop, shared by its pages: the list filters as you type, the product
// page reads ?id= and adds to a cart kept in sessionStorage, the cart lists it and checks the
// checkout form, then loads order.html (a real page load, without the form's fields in the URL).
(function () {
  'use strict';
  var PRODUCTS = { 1: ['Desk lamp', 24], 2: ['Reading lamp', 31], 3: ['Notebook', 6], 4: ['Fountain pen', 18], 5: ['Paper tray', 12], 6: ['Stapler', 9] };
  var page = document.body.getAttribute('data-page');

  function cart() {
    try { return JSON.parse(sessionStorage.getItem('cart') || '[]'); } catch { return []; }
  }
  function setCart(items) { sessionStorage.setItem('cart', JSON.stringify(items)); showCount(); }
  function showCount() {
    var n = cart().reduce(function (sum, item) { return sum + item.qty; }, 0);
    document.querySelectorAll('.cart-count').forEach(function (el) { el.textContent = String(n); });
  }
  showCount();

  if (page === 'list') {
    var search = document.getElementById('search');
    var none = document.getElementById('no-results');
    search.addEventListener('input', function () {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      document.querySelectorAll('#products li').forEach(function (li) {
        var match = li.getAttribute('data-name').indexOf(q) !== -1;
        li.hidden = !match;
        if (match) shown++;
      });
      none.hidden = shown > 0;
    });
  }

  if (page === 'product') {
    var id = new URLSearchParams(location.search).get('id');
    var product = PRODUCTS[id];
    if (product) {
      document.getElementById('product-name').textContent = product[0];
      document.getElementById('product-price').textContent = '€' + product[1];
      document.title = product[0] + ' — Lockstep shop';
    }
    document.getElementById('add').addEventListener('click', function () {
      if (!product) return;
      var qty = Math.max(1, Math.min(9, Number(document.getElementById('quantity').value) || 1));
      var items = cart();
      items.push({ id: id, qty: qty });
      setCart(items);
      document.getElementById('added').textContent = 'Added ' + qty + ' × ' + product[0] + ' to the cart.';
    });
  }

  if (page === 'cart') {
    var list = document.getElementById('cart-items');
    cart().forEach(function (item) {
      var li = document.createElement('li');
      var p = PRODUCTS[item.id];
      li.textContent = item.qty + ' × ' + (p ? p[0] : 'unknown');
      list.appendChild(li);
    });
    var form = document.getElementById('checkout');
    var error = document.getElementById('checkout-error');
    form.addEventListener('submit', function (event) {
      var missing = [];
      if (document.getElementById('full-name').value.trim() === '') missing.push('your name');
      if (document.getElementById('address').value.trim() === '') missing.push('an address');
      if (missing.length > 0) {
        event.preventDefault();
        error.textContent = 'Please enter ' + missing.join(' and ') + '.';
        error.hidden = false;
        return;
      }
      // The form's fields stay out of the URL: the order page is loaded without them.
      event.preventDefault();
      sessionStorage.removeItem('cart');
      location.assign('order.html');
    });
  }
})();
