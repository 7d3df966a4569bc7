// `describe()` must print exactly what Java prints, and Java prints some sets in java.util.HashSet /
// HashMap iteration order: by bucket (String.hashCode spread, masked by the table size), then by
// insertion within a bucket. These helpers reproduce that order.

/** Java's `String.hashCode()` over UTF-16 code units, as a 32-bit int. */
export function javaStringHash(text: string): number {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0
  return h
}

function bucket(text: string, capacity: number): number {
  const h = javaStringHash(text)
  return (h ^ (h >>> 16)) & (capacity - 1)
}

function tableSizeFor(n: number): number {
  let capacity = 1
  while (capacity < n) capacity *= 2
  return capacity
}

/** Table size of a HashSet/HashMap filled one `add` at a time (default 16, doubled past 0.75 load). */
export function capacityAfterAdds(size: number): number {
  let capacity = 16
  while (size > capacity * 0.75) capacity *= 2
  return capacity
}

/** Table size of `new HashSet<>(collection)`. */
export function capacityOfCopy(size: number): number {
  return tableSizeFor(Math.max(Math.floor(size / 0.75) + 1, 16))
}

/** The iteration order of a Java HashSet<String> holding `items` (given in insertion order). */
export function javaHashOrder(items: Iterable<string>, capacity?: number): string[] {
  const list = [...new Set(items)]
  const cap = capacity ?? capacityOfCopy(list.length)
  return list
    .map((item, index) => ({ item, index, bucket: bucket(item, cap) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((entry) => entry.item)
}

/** Java's `AbstractCollection.toString()`: `[a, b]`. */
export function javaSetString(items: Iterable<string>): string {
  return `[${[...items].join(', ')}]`
}
