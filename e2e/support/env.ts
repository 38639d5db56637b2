/** Where the e2e web host listens and the token it requires (fixed so tests can build the URL). */
/** E2E_PORT lets two people (or helpers) run the suite side by side on one lab. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 7431);
export const E2E_TOKEN = 'e2e-token';
export const APP_PATH = `/?token=${E2E_TOKEN}`;
