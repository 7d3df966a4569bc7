/** A task: one sub-topology on one partition, printed `subtopology_partition` (Kafka `TaskId`). */
export class TaskId {
  readonly subtopology: number
  readonly partition: number

  constructor(subtopology: number, partition: number) {
    this.subtopology = subtopology
    this.partition = partition
  }

  toString(): string {
    return `${this.subtopology}_${this.partition}`
  }
}
