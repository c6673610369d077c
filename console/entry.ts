// The console bundle's entry (dist/console/console.js): index.html loads it as a module script.
import { start } from './main';

start();
