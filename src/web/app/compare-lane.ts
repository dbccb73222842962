/**
 * One model's lane in the compare view: its own stream through the browser client, its own AnswerView
 * (typing indicator, formatting, metrics, its own error: one model failing does not stop the others) and
 * a recorder of when each text chunk arrived, for the chart and the characteristics table.
 */
import {
  ChunkRecorder,
  isTerminalEvent,
  streamChat,
  streamCharacteristics,
  type ChatStream,
  type StreamCharacteristics,
} from '../../browser/index.js';
import { AnswerView } from './answer-view.js';

export interface LaneRequest {
  model: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  system: string;
}

export interface LaneHooks {
  /** The lane's answer or figures changed (a chunk, the usage). */
  changed(lane: CompareLane): void;
  ended(lane: CompareLane): void;
}

export class CompareLane {
  readonly view: AnswerView;
  /** Text chunks as they arrived, against a clock started when the request was sent. */
  readonly recorder: ChunkRecorder;
  /** The model's own output token count, once its usage arrived. */
  outputTokens: number | null = null;
  ended = false;
  private readonly stream: ChatStream;

  constructor(
    readonly index: number,
    readonly request: LaneRequest,
    client: { baseUrl: string; apiKey?: string },
    hooks: LaneHooks,
    smooth: boolean,
  ) {
    this.view = new AnswerView(request.model, { grew: () => undefined, ended: () => undefined }, smooth);
    this.view.element.classList.add('lane', `lane-${index + 1}`);
    this.recorder = new ChunkRecorder();
    this.stream = streamChat({
      ...client,
      messages: [{ role: 'user', content: request.prompt }],
      model: request.model,
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.system.trim() === '' ? {} : { system: request.system }),
      onEvent: (event, snapshot) => {
        if (event.type === 'text') this.recorder.text(event.text);
        if (event.type === 'usage' && event.source === 'bedrock') this.outputTokens = event.outputTokens;
        this.view.handle(event, snapshot);
        if (isTerminalEvent(event)) {
          this.ended = true;
          hooks.ended(this);
        } else if (event.type === 'text' || event.type === 'usage') hooks.changed(this);
      },
    });
  }

  characteristics(): StreamCharacteristics {
    return streamCharacteristics(this.recorder.chunks, this.outputTokens);
  }

  /** Stops the lane's generation upstream (the browser client cancels it on the server). */
  stop(): Promise<void> {
    return this.stream.stop();
  }
}
