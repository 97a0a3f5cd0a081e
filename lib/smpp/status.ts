/** SMPP 3.4 command_status values (spec §5.1.3), one table read by the codec, session and docs. */
export const Status = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RINVPRTFLG: 0x06,
  ESME_RINVREGDLVFLG: 0x07,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RCANCELFAIL: 0x11,
  ESME_RREPLACEFAIL: 0x13,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVNUMDESTS: 0x33,
  ESME_RINVDLNAME: 0x34,
  ESME_RINVDESTFLAG: 0x40,
  ESME_RINVSUBREP: 0x42,
  ESME_RINVESMCLASS: 0x43,
  ESME_RCNTSUBDL: 0x44,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSRCTON: 0x48,
  ESME_RINVSRCNPI: 0x49,
  ESME_RINVDSTTON: 0x50,
  ESME_RINVDSTNPI: 0x51,
  ESME_RINVSYSTYP: 0x53,
  ESME_RINVREPFLAG: 0x54,
  ESME_RINVNUMMSGS: 0x55,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RINVDFTMSGID: 0x63,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
  ESME_RQUERYFAIL: 0x67,
  ESME_RINVOPTPARSTREAM: 0xc0,
  ESME_ROPTPARNOTALLWD: 0xc1,
  ESME_RINVPARLEN: 0xc2,
  ESME_RMISSINGOPTPARAM: 0xc3,
  ESME_RINVOPTPARAMVAL: 0xc4,
  ESME_RDELIVERYFAILURE: 0xfe,
  ESME_RUNKNOWNERR: 0xff,
} as const;

/** Name of a status code, or its hex form when the code is not in the 3.4 table. */
export function statusName(code: number): string {
  for (const [name, value] of Object.entries(Status)) if (value === code) return name;
  return `0x${code.toString(16).padStart(8, "0")}`;
}

/**
 * When the gateway answers each status it uses: the one source of the README's error-code table
 * (a test keeps them equal).
 */
export const STATUS_USES: ReadonlyArray<readonly [keyof typeof Status, string]> = [
  ["ESME_ROK", "success"],
  [
    "ESME_RINVMSGLEN",
    "`sm_length` runs past the PDU; `short_message` and `message_payload` both present; bytes invalid for the declared data_coding (odd-length UCS2, trailing ESC, GSM octet > 0x7F, IA5 octet > 0x7F); malformed UDH; `sm_length` 255",
  ],
  [
    "ESME_RINVCMDLEN",
    "`generic_nack` for `command_length` < 16 or over the cap (64 KiB + 512); the connection is then closed. Also a body that ends inside a mandatory field",
  ],
  ["ESME_RINVCMDID", "`generic_nack` for an unknown or reserved `command_id`"],
  ["ESME_RINVBNDSTS", "a request not allowed in the session state (table above)"],
  ["ESME_RALYBND", "a bind on a bound session, or the account already has `maxSessions` sessions"],
  ["ESME_RINVPRTFLG", "`priority_flag` > 3"],
  ["ESME_RINVREGDLVFLG", "`registered_delivery` with the reserved value 3 or reserved bits"],
  [
    "ESME_RSYSERR",
    "the KV commit holding the message failed, or this process no longer owns the store (never OK)",
  ],
  [
    "ESME_RINVSRCADR",
    "`source_addr` not matching the account's `sourceAddrs`, or longer than 20 characters",
  ],
  [
    "ESME_RINVDSTADR",
    "empty or too long `destination_addr`, or no route matches the message (in `submit_multi`: that destination is listed in `unsuccess_sme`)",
  ],
  ["ESME_RINVMSGID", "a `message_id` (query_sm, cancel_sm, replace_sm) longer than 64 characters"],
  [
    "ESME_RBINDFAIL",
    "bind from an address outside `allowedIps`; bind during a lockout (even with the right password); too many binds waiting for their password check; an account disabled or removed through the admin API",
  ],
  ["ESME_RINVPASWD", "wrong password (or longer than 9 characters)"],
  [
    "ESME_RINVSYSID",
    "unknown system_id (or longer than 16 characters), or a config account no longer in the config",
  ],
  [
    "ESME_RCANCELFAIL",
    "`cancel_sm` found nothing it may cancel (unknown, final, handed to a route)",
  ],
  [
    "ESME_RREPLACEFAIL",
    "`replace_sm` of a message that is unknown, another account's, final, being sent or handed to a route, or a part of a concatenated message",
  ],
  [
    "ESME_RMSGQFUL",
    "the message's route already holds `limits.routeBacklog` messages in memory (a provider or upstream down), or `limits.maxScheduled` scheduled messages wait; clients resend later (in `submit_multi`: that destination is listed in `unsuccess_sme`)",
  ],
  ["ESME_RINVSERTYP", "`service_type` longer than 5 characters"],
  ["ESME_RINVNUMDESTS", "`submit_multi` with `number_of_dests` 0 or over 254"],
  [
    "ESME_RINVDLNAME",
    "`submit_multi` naming a distribution list the account does not define (in `unsuccess_sme`); a `dl_name` longer than 20 characters refuses the whole PDU",
  ],
  ["ESME_RINVDESTFLAG", "`submit_multi` with a `dest_flag` other than 1 or 2"],
  ["ESME_RINVESMCLASS", "`submit_sm` or `submit_multi` asking for transaction mode"],
  [
    "ESME_RCNTSUBDL",
    "`submit_multi` naming a distribution list when the account defines none (in `unsuccess_sme`)",
  ],
  ["ESME_RINVSYSTYP", "`system_type` too long"],
  [
    "ESME_RINVREPFLAG",
    "`replace_if_present_flag` other than 0 or 1 (`submit_sm`), other than 0 (`submit_multi`)",
  ],
  [
    "ESME_RTHROTTLED",
    "more unanswered requests than the window, over the account's `tps`, or daily quota used up. Clients back off and resend",
  ],
  ["ESME_RINVSCHED", "`schedule_delivery_time` malformed (not `YYMMDDhhmmsstnnp` or `…R`) or past"],
  ["ESME_RINVEXPIRY", "`validity_period` malformed (not `YYMMDDhhmmsstnnp` or `…R`) or past"],
  ["ESME_RINVDFTMSGID", "`sm_default_msg_id` not defined in `cannedMessages`"],
  [
    "ESME_RQUERYFAIL",
    "`query_sm` for an unknown message, another account's, or with another `source_addr`",
  ],
  ["ESME_RINVOPTPARSTREAM", "the TLV part is broken: a length past the end, or 1–3 stray octets"],
  [
    "ESME_RINVPARLEN",
    "a known fixed-size TLV with the wrong length; submit TLVs kept for the route (all but `message_payload`, SAR and `user_message_reference`) over 2048 octets in all",
  ],
  ["ESME_RMISSINGOPTPARAM", "a `data_sm` without `message_payload`"],
  ["ESME_RINVOPTPARAMVAL", "SAR TLVs with a segment number outside 1..total"],
  [
    "ESME_RDELIVERYFAILURE",
    "a `data_sm` in transaction mode whose route failed it (`delivery_failure_reason` and `network_error_code` tell why)",
  ],
];

/** The README's error-code table, from {@link STATUS_USES}. */
export function statusTableMarkdown(): string {
  const hex = (n: number) => `\`0x${n.toString(16).toUpperCase().padStart(2, "0")}\``;
  return [
    "| status | name | when |",
    "|---|---|---|",
    ...STATUS_USES.map(([name, when]) => `| ${hex(Status[name])} | ${name} | ${when} |`),
  ].join("\n");
}
