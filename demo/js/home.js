// The home page: every widget as a plain custom element (see index.html), filled by the SDK that
// the script tag loads. This file only adds the demo's chrome and live panel.
import { securityNotice } from './fallback.js';
import { getLocale } from './i18n.js';
import { startShell } from './shell.js';

startShell({ page: 'home' });
// an empty reminder slot would collapse and move the page up: a standing notice holds its box
const reminders = document.querySelector('sw-reminders');
if (reminders) reminders.fallback = [securityNotice(getLocale())];
