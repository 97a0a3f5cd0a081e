/** The program's version: one source for `main.ts version`, the admin API and the status page. */
export const VERSION = "0.10.0";
