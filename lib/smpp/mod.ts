/** The SMPP 3.4 codec: tables of commands, statuses and TLVs, and the pure encoder/decoder. */
export * from "./codec.ts";
export * from "./commands.ts";
export * from "./status.ts";
export * from "./tlvs.ts";
