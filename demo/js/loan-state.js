// The loan application in progress, kept in the tab (sessionStorage) so it survives navigation:
// loans.js writes it; the other pages read it to remind the customer of it.

export const LOAN_KEY = 'lumen.loan';

/** The saved application, or null. */
export function savedLoan() {
  try {
    return JSON.parse(sessionStorage.getItem(LOAN_KEY) || 'null');
  } catch {
    return null;
  }
}

/**
 * The step (1–4) an unfinished application stopped at, 0 when there is none: "save and exit" keeps
 * it in `resumeAt`; leaving the page mid-form keeps it in `step`.
 */
export function pendingLoanStep(app = savedLoan()) {
  if (!app) return 0;
  if (app.resumeAt >= 1 && app.resumeAt <= 4) return app.resumeAt;
  return app.step >= 1 && app.step <= 4 ? app.step : 0;
}
