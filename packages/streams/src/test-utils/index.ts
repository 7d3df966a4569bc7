export { TopologyTestDriver } from './topology-test-driver.ts'
export { TestInputTopic } from './test-input-topic.ts'
export { TestOutputTopic } from './test-output-topic.ts'
export { TestRecord } from './test-record.ts'
