/** Message text: GSM 03.38 / UCS2 / Latin-1 codecs, data_coding, part splitting, concatenation, receipt text. */
export * from "./gsm7.ts";
export * from "./ucs2.ts";
export * from "./coding.ts";
export * from "./parts.ts";
export * from "./concat.ts";
export * from "./receipt_text.ts";
export * from "./user_text.ts";
