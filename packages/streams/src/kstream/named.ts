/** A name for the processor an operation creates (Kafka `Named`). */
export class Named {
  readonly name: string | undefined
  protected constructor(name: string | undefined) {
    if (name !== undefined) validateName(name)
    this.name = name
  }

  static as(name: string): Named {
    return new Named(name)
  }

  withName(name: string): Named {
    return new Named(name)
  }
}

const legal = /^[a-zA-Z0-9._-]+$/

/** Kafka's rule for names that end up in topic names: at most 249 chars of [a-zA-Z0-9._-]. */
export function validateName(name: string): void {
  if (name.length === 0) throw new TypeError("Name is illegal, it can't be empty")
  if (name.length > 249) throw new TypeError("Name is illegal, it can't be longer than 249 characters")
  if (!legal.test(name)) {
    throw new TypeError(
      `Name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    )
  }
}
