/** A failure that maps to one SMPP command_status; the session answers with that status. */
export class SmppError extends Error {
  /** The command_status to send back. */
  readonly status: number;
  /** An error answered with command_status `status`. */
  constructor(status: number, message: string) {
    super(message);
    this.name = "SmppError";
    this.status = status;
  }
}
