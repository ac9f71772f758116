// "Lost your link?": /lost-link asks for the address a booking was made with, and the
// service mails a fresh link to each open booking and plan under it.  The page says the
// same thing whatever the address: it cannot tell, and must not.
import { $, h, fill, api, setFieldError, clearFieldErrors, showProblemErrors, focusOn, errorNote } from './lib.js';

const form = $('#lost-link-form');
const email = $('#email');
const result = $('#result');
const button = $('#send');

function done() {
  fill(result, h('div', { class: 'note', role: 'status', id: 'lost-link-done' },
    h('h2', { tabindex: '-1', id: 'done-heading' }, 'Thank you'),
    h('p', {}, 'If there are bookings under this address, an e-mail with a link to each is on its way to it. It can take a few minutes; please check your spam folder too.'),
    h('p', {}, 'If nothing arrives, you may have booked with another address: try that one, or call the clinic.')));
  focusOn($('#done-heading'));
}

async function onSubmit(ev) {
  ev.preventDefault();
  clearFieldErrors(form);
  fill(result);
  const value = email.value.trim();
  if (!value || !/^[^@\s]+@[^@\s]+$/.test(value)) {
    setFieldError(email, value ? 'This does not look like an e-mail address. Please check it.' : 'Please give your e-mail address.');
    email.focus();
    return;
  }
  button.disabled = true;
  const r = await api('POST', '/api/v1/lost-links', { body: { email: value } });
  button.disabled = false;
  if (r.ok) {
    done();
  } else if (r.status === 422) {
    const rest = showProblemErrors(r.problem, { email: { control: email } });
    if (rest.length) fill(result, errorNote('Please check the address', r.problem.detail));
  } else if (r.status === 429) {
    fill(result, errorNote('Too many requests', `${r.problem.detail ?? 'Please try again later.'} If you need your booking sooner, please call the clinic.`));
  } else {
    fill(result, errorNote('This did not go through', r.problem.detail || 'Please try again in a moment.'));
  }
}

form.addEventListener('submit', onSubmit);
