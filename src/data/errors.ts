/**
 * The test data's errors: a file that is missing or unreadable (on this machine, or on a
 * worker that must read its own copy), a file that does not parse (with line and
 * column), or a data set declared wrongly. All are the locustfile's mistakes (exit 3).
 */
import { LocustfileError } from "../shared/errors.js";

/** A data file that cannot be read here. */
export class DataFileError extends LocustfileError {
  constructor(message: string, hint: string, cause?: unknown) {
    super("CICADA_ERR_DATA_FILE", message, { hint, cause });
  }
}

/** A data file that does not parse. */
export class DataParseError extends LocustfileError {
  constructor(message: string, hint: string, cause?: unknown) {
    super("CICADA_ERR_DATA_PARSE", message, { hint, cause });
  }
}

/** `data.csv()` or `data.json()` called with options that cannot work. */
export class DataOptionsError extends LocustfileError {
  constructor(message: string, hint: string) {
    super("CICADA_ERR_DATA", message, { hint });
  }
}
