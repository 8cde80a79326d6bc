// Behaviour of the sample editor: a rich-text document (contenteditable) with Ctrl/Cmd+B and
// Ctrl/Cmd+I, a custom context menu, a code box where Tab indents by two spaces, and
// Ctrl/Cmd+S (or the Save button) to save, which updates the status line.
(function () {
  'use strict';
  var doc = document.getElementById('doc');
  var code = document.getElementById('code');
  var status = document.getElementById('status');
  var menu = document.getElementById('menu');
  var saves = 0;

  function save() {
    saves += 1;
    status.textContent = 'Saved (' + saves + ')';
    document.title = 'Saved — Editor — Lockstep sample';
  }
  function format(command) {
    document.execCommand(command);
  }

  document.addEventListener('keydown', function (event) {
    var primary = event.ctrlKey || event.metaKey;
    if (!primary || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === 's') {
      event.preventDefault();
      save();
    } else if ((key === 'b' || key === 'i') && document.activeElement === doc) {
      event.preventDefault();
      format(key === 'b' ? 'bold' : 'italic');
    }
  });

  code.addEventListener('keydown', function (event) {
    if (event.key !== 'Tab' || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
    event.preventDefault();
    // insertText keeps the undo stack and fires an input event, like typing would.
    document.execCommand('insertText', false, '  ');
  });

  // Buttons keep the selection in the document.
  document.querySelectorAll('.toolbar button').forEach(function (button) {
    button.addEventListener('mousedown', function (event) { event.preventDefault(); });
  });
  document.getElementById('bold').addEventListener('click', function () { format('bold'); });
  document.getElementById('italic').addEventListener('click', function () { format('italic'); });
  document.getElementById('save').addEventListener('click', save);

  doc.addEventListener('contextmenu', function (event) {
    event.preventDefault();
    menu.style.left = event.clientX + 'px';
    menu.style.top = event.clientY + 'px';
    menu.hidden = false;
  });
  menu.addEventListener('mousedown', function (event) { event.preventDefault(); });
  menu.addEventListener('click', function (event) {
    var item = event.target.closest('[role="menuitem"]');
    if (!item) return;
    if (item.id === 'menu-clear') format('removeFormat');
    if (item.id === 'menu-upper') {
      var sel = window.getSelection();
      var text = sel ? sel.toString() : '';
      if (text) document.execCommand('insertText', false, text.toUpperCase());
    }
    menu.hidden = true;
  });
  document.addEventListener('mousedown', function (event) {
    if (!menu.contains(event.target)) menu.hidden = true;
  });
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') menu.hidden = true;
  });
})();
