// npm run kafka -- single | cluster | fetch
//   single   start one local node and keep it running until Ctrl-C
//   cluster  start a 3-node cluster; type `kill c2`, `stop c2`, `pause c2`, `resume c2`, `restart c2`, `status`
//   fetch    resolve the broker jars from Maven Central (done automatically by the other commands)
import { createInterface } from 'node:readline'
import { LocalKafka, kafkaVersion, resolveClasspath } from './local-kafka.ts'

const command = process.argv[2] ?? 'single'

async function serve(nodes: 1 | 3): Promise<void> {
  const started = Date.now()
  const kafka = await LocalKafka.start({ nodes })
  process.on('exit', () => kafka.killAllSync())
  console.log(`Kafka ${kafka.version} ready in ${((Date.now() - started) / 1000).toFixed(1)}s`)
  console.log(`bootstrap servers: ${kafka.bootstrapServers}`)
  console.log(`logs: ${kafka.dir}`)
  if (nodes === 3) console.log('commands: kill|stop|pause|resume|restart <c1|c2|c3>, status; Ctrl-C stops all')
  let closing = false
  const shutdown = async (): Promise<void> => {
    if (closing) return
    closing = true
    console.log('stopping Kafka...')
    await kafka.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown())
  process.on('SIGTERM', () => void shutdown())
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    const [verb = '', name = ''] = line.trim().split(/\s+/)
    const act = async (): Promise<void> => {
      switch (verb) {
        case 'kill':
          return kafka.killNode(name)
        case 'stop':
          return kafka.stopNode(name)
        case 'pause':
          return kafka.pauseNode(name)
        case 'resume':
          return kafka.resumeNode(name)
        case 'restart':
          return kafka.restartNode(name)
        case 'status':
          for (const node of kafka.nodes) console.log(`${node.name} 127.0.0.1:${node.port} ${node.state}`)
          return
        default:
          console.log('unknown command; use kill|stop|pause|resume|restart <node> or status')
      }
    }
    act().then(
      () => verb && verb !== 'status' && console.log(`${verb} ${name}: done`),
      (error: unknown) => console.error(error instanceof Error ? error.message : error),
    )
  })
}

try {
  switch (command) {
    case 'fetch':
      resolveClasspath()
      console.log(`Kafka ${kafkaVersion()} jars resolved`)
      break
    case 'single':
      await serve(1)
      break
    case 'cluster':
      await serve(3)
      break
    default:
      console.error(`unknown command ${command}: use single, cluster or fetch`)
      process.exitCode = 2
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
}
