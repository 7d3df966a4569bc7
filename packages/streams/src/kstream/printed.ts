import { appendFileSync } from 'node:fs'
import type { KeyValueMapper } from './functions.ts'
import { validateName } from './named.ts'

/** Where and how `print()` writes records (Kafka `Printed`): `[label]: key, value` per line. */
export class Printed<K, V> {
  readonly write: (line: string) => void
  readonly label: string | undefined
  readonly mapper: KeyValueMapper<K, V, string>
  readonly name: string | undefined

  private constructor(
    write: (line: string) => void,
    label?: string,
    mapper?: KeyValueMapper<K, V, string>,
    name?: string,
  ) {
    this.write = write
    this.label = label
    this.mapper = mapper ?? ((key, value) => `${String(key)}, ${String(value)}`)
    this.name = name
  }

  static toSysOut<K, V>(): Printed<K, V> {
    return new Printed<K, V>((line) => process.stdout.write(`${line}\n`))
  }

  static toFile<K, V>(path: string): Printed<K, V> {
    if (!path) throw new TypeError("filePath can't be an empty string")
    return new Printed<K, V>((line) => appendFileSync(path, `${line}\n`))
  }

  withLabel(label: string): Printed<K, V> {
    return new Printed(this.write, label, this.mapper, this.name)
  }

  withKeyValueMapper(mapper: KeyValueMapper<K, V, string>): Printed<K, V> {
    return new Printed(this.write, this.label, mapper, this.name)
  }

  withName(name: string): Printed<K, V> {
    validateName(name)
    return new Printed(this.write, this.label, this.mapper, name)
  }
}
