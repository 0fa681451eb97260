// A CLI failure with its exit code (1 failure, 2 usage or config error).

/** Thrown by commands; main prints the message and exits with the code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}
