// Behaviour of the sample sign-up page: submit checks the user name (required, at least three
// characters) and shows an error next to it, or shows a confirmation and moves to #/sent with
// the History API, the activity list is filled, and the drop zone accepts the draggable item.
(function () {
  'use strict';
  var form = document.getElementById('signup');
  var confirmation = document.getElementById('confirmation');
  var list = document.getElementById('activity');

  for (var i = 1; i <= 40; i++) {
    var li = document.createElement('li');
    li.textContent = 'Activity item ' + i;
    list.appendChild(li);
  }

  var username = document.getElementById('username');
  var usernameError = document.getElementById('username-error');

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var name = username.value.trim();
    var problem = name === '' ? 'Enter a user name.' : name.length < 3 ? 'A user name has at least 3 characters.' : '';
    usernameError.textContent = problem;
    usernameError.hidden = problem === '';
    username.setAttribute('aria-invalid', problem ? 'true' : 'false');
    if (problem) {
      username.focus();
      return;
    }
    confirmation.textContent = 'Thanks, your message was sent.';
    confirmation.hidden = false;
    document.title = 'Sent — Lockstep sample';
    history.pushState({ sent: true }, '', '#/sent');
  });

  window.addEventListener('popstate', function () {
    if (location.hash !== '#/sent') {
      confirmation.hidden = true;
      document.title = 'Sign up — Lockstep sample';
    }
  });

  document.getElementById('reveal').addEventListener('click', function () {
    document.getElementById('notes').focus();
  });

  var item = document.getElementById('drag-item');
  var zone = document.getElementById('drop-zone');
  item.addEventListener('dragstart', function (event) {
    event.dataTransfer.setData('text/plain', 'drag-item');
  });
  zone.addEventListener('dragover', function (event) { event.preventDefault(); });
  zone.addEventListener('drop', function (event) {
    event.preventDefault();
    zone.classList.add('filled');
    zone.appendChild(item);
  });
})();
