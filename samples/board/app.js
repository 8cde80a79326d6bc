// Behaviour of the sample board: cards move between columns by HTML5 drag and drop, a new card
// is added by typing its title and pressing Enter, a double click renames a card (Enter keeps,
// Escape cancels), and the card-size slider is dragged with the pointer (or moved with arrows).
(function () {
  'use strict';
  var log = document.getElementById('log');
  var nextId = 6;

  function say(text) { log.textContent = text; }

  function wire(card) {
    card.addEventListener('dragstart', function (event) {
      event.dataTransfer.setData('text/plain', card.id);
      event.dataTransfer.effectAllowed = 'move';
    });
    card.addEventListener('dblclick', function () { rename(card); });
  }
  document.querySelectorAll('.card').forEach(wire);

  document.querySelectorAll('.column').forEach(function (column) {
    var list = column.querySelector('.cards');
    column.addEventListener('dragover', function (event) {
      event.preventDefault();
      column.classList.add('over');
    });
    column.addEventListener('dragleave', function () { column.classList.remove('over'); });
    column.addEventListener('drop', function (event) {
      event.preventDefault();
      column.classList.remove('over');
      var card = document.getElementById(event.dataTransfer.getData('text/plain'));
      if (!card) return;
      list.appendChild(card);
      say('Moved “' + card.textContent + '” to ' + column.getAttribute('aria-label'));
    });
  });

  var input = document.getElementById('new-todo');
  input.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || input.value.trim() === '') return;
    var card = document.createElement('li');
    card.className = 'card';
    card.draggable = true;
    card.id = 'card-' + nextId++;
    card.textContent = input.value.trim();
    wire(card);
    document.querySelector('#todo .cards').appendChild(card);
    say('Added “' + card.textContent + '”');
    input.value = '';
  });

  function rename(card) {
    var before = card.textContent;
    card.contentEditable = 'true';
    card.draggable = false;
    card.classList.add('editing');
    card.focus();
    var range = document.createRange();
    range.selectNodeContents(card);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    function end(keep) {
      card.removeEventListener('keydown', onKey);
      card.removeEventListener('blur', onBlur);
      if (!keep) card.textContent = before;
      card.contentEditable = 'false';
      card.draggable = true;
      card.classList.remove('editing');
      if (keep) say('Renamed to “' + card.textContent + '”');
    }
    function onKey(event) {
      if (event.key === 'Enter') { event.preventDefault(); end(true); card.blur(); }
      if (event.key === 'Escape') { end(false); card.blur(); }
    }
    function onBlur() { end(true); }
    card.addEventListener('keydown', onKey);
    card.addEventListener('blur', onBlur);
  }

  // The card-size slider: pointer drag on the track or thumb, arrows when focused.
  var slider = document.getElementById('zoom');
  var thumb = document.getElementById('zoom-thumb');
  var output = document.getElementById('zoom-value');
  function setValue(v) {
    v = Math.max(0, Math.min(100, Math.round(v)));
    slider.setAttribute('aria-valuenow', String(v));
    thumb.style.left = 'calc(' + v + '% - 10px)';
    output.textContent = String(v);
    document.documentElement.style.setProperty('--size', String(0.5 + v / 100));
  }
  var dragging = false;
  function fromPointer(event) {
    var r = slider.getBoundingClientRect();
    setValue(((event.clientX - r.left) / r.width) * 100);
  }
  slider.addEventListener('pointerdown', function (event) {
    dragging = true;
    fromPointer(event);
  });
  window.addEventListener('pointermove', function (event) { if (dragging) fromPointer(event); });
  window.addEventListener('pointerup', function () { dragging = false; });
  slider.addEventListener('keydown', function (event) {
    var now = Number(slider.getAttribute('aria-valuenow'));
    if (event.key === 'ArrowRight') setValue(now + 5);
    if (event.key === 'ArrowLeft') setValue(now - 5);
  });
})();
