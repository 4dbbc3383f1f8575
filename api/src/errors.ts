/**
 * The base of phishnet's typed errors: a stable machine-readable `code` (callers branch on it, never on the message)
 * and the subclass's name. Dependency-free.
 */
export class CodedError<C extends string> extends Error {
  readonly code: C;

  /**
   * @param code stable code, part of the contract of the function that throws it
   * @param message for people and logs; never a full URL (it may carry tokens)
   */
  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
