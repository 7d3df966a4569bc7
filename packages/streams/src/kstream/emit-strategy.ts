/**
 * When a windowed aggregation emits (Kafka `EmitStrategy`): on every update (the default), or once per
 * window when it closes (stream time past its end plus grace).
 */
export class EmitStrategy {
  readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE'

  private constructor(type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE') {
    this.type = type
  }

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE')
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE')
  }
}
