// The home page: every widget as a plain custom element (see index.html), filled by the SDK that
// the script tag loads. This file only adds the demo's chrome and live panel.
import { startShell } from './shell.js';

startShell({ page: 'home' });
